using System.Collections.Concurrent;
using System.Globalization;
using FcnLab.Engine.Training;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;

namespace FcnLab.Lab.Tests.Store;

/// <summary>
/// What every run store promises (<see cref="IRunStore"/>), run against each store by a derived class:
/// SQLite (<see cref="SqliteRunStoreTests"/>) and PostgreSQL (<see cref="PostgresRunStoreTests"/>). Each
/// test starts from an empty store.
/// </summary>
public abstract class RunStoreContractTests : IDisposable
{
    protected const string Sweep = "lr-sweep";
    protected readonly List<IDisposable> Opened = [];

    public virtual void Dispose()
    {
        foreach (var d in Opened) d.Dispose();
    }

    /// <summary>Opens this test's store (the same one on every call), with a clock when given.</summary>
    protected abstract IRunStore OpenStore(Func<DateTime>? clock);

    /// <summary>The smallest step of time the store keeps (PostgreSQL: a microsecond).</summary>
    protected virtual TimeSpan Resolution => TimeSpan.FromTicks(1);

    /// <summary>A time as the store gives it back.</summary>
    protected DateTime Stored(DateTime t) => new(t.Ticks - t.Ticks % Resolution.Ticks, t.Kind);

    private IRunStore Open(Func<DateTime>? clock = null)
    {
        var store = OpenStore(clock);
        Opened.Add(store);
        return store;
    }

    private static TrialDefinition Trial(string id, string? sweep = Sweep, int repeat = 0) => new()
    {
        TrialId = id,
        Sweep = sweep,
        Point = [new("lr", "0.1"), new("optimizer", "sgd"), new("batch-size", "32")],
        Repeat = repeat,
        Seed = 1 + repeat,
        ConfigJson = $$"""{"id":"{{id}}","lr":0.1}""",
        RunDir = $"runs/{sweep ?? "train"}/{id}",
    };

    /// <summary>A store holding one trial "aaa", claimed by "host:1".</summary>
    private (IRunStore Store, long RunId) OpenWithClaimedTrial(Func<DateTime>? clock = null)
    {
        var store = Open(clock);
        store.AddTrials([Trial("aaa")]);
        return (store, store.ClaimNext(Sweep, "host:1")!.RunId);
    }

    private static IEnumerable<TrialDefinition> Trials(int count, string sweep = Sweep) =>
        Enumerable.Range(0, count).Select(i => Trial(i.ToString("x12", CultureInfo.InvariantCulture), sweep));

    private static readonly KeyValuePair<string, string>[] NoPoint = [];

    /// <summary>Record equality compares the point list by reference: compare its contents, then the rest with one shared list.</summary>
    private static void AssertSameRecord(TrialRecord expected, TrialRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Definition.Point, actual.Definition.Point);
        Assert.Equal(expected with { Definition = expected.Definition with { Point = NoPoint } }, actual with { Definition = actual.Definition with { Point = NoPoint } });
    }

    [StoreFact]
    public void ClaimNew_RecordsEachSuggestionRunning_FromTheHistoryOfTheTrialsBeforeIt()
    {
        var store = Open();
        store.SaveSweep(Sweep, "space: {lr: {log_uniform: [0.001, 0.1]}}");
        var seen = new List<(int Trials, int Epochs)>();
        TrialDefinition? Next(IReadOnlyList<TrialHistory> history)
        {
            seen.Add((history.Count, history.Sum(h => h.Epochs.Count)));
            return history.Count < 2 ? Trial($"s{history.Count}", repeat: history.Count) : null;
        }
        var first = store.ClaimNew(Sweep, "host:1", Next)!;
        Assert.Equal((RunStatus.Running, "host:1", 1, 0, "s0"), (first.Status, first.Owner, first.Attempts, first.Definition.Repeat, first.TrialId));
        Assert.True(store.RecordEpoch(first.RunId, "host:1", new EpochMetrics(1, 0.9, 0.5, 0.8, 0.6, 0.1, 1)));
        var second = store.ClaimNew(Sweep, "host:2", Next)!;
        Assert.Equal((1, "s1", "host:2"), (second.Definition.Repeat, second.TrialId, second.Owner));
        Assert.Null(store.ClaimNew(Sweep, "host:2", Next));
        Assert.Equal([(0, 0), (1, 1), (2, 1)], seen);
        var history = store.GetHistory(Sweep);
        Assert.Equal(["s0", "s1"], history.Select(h => h.Trial.TrialId));
        Assert.Equal([0.6], history[0].Epochs.Select(e => e.ValAccuracy!.Value));
        Assert.Empty(history[1].Epochs);
        AssertSameRecord(second, history[1].Trial);
        // The same trial id twice: the sweep's spec changed under its name.
        var e = Assert.Throws<Engine.FcnLabException>(() => store.ClaimNew(Sweep, "host:1", _ => Trial("s0", repeat: 2)));
        Assert.Contains("already holds trial s0", e.Message);
        Assert.Equal(2, store.ListTrials(Sweep).Count);
    }

    [StoreFact]
    public void ClaimNew_FromManyThreads_NeverGivesTwoWorkersTheSameTrialNumber()
    {
        var store = Open();
        store.SaveSweep(Sweep, "space");
        var numbers = new ConcurrentBag<int>();
        Parallel.For(0, 4, w =>
        {
            using var mine = OpenStore(null);
            while (mine.ClaimNew(Sweep, $"host:{w}", h => h.Count < 12 ? Trial($"n{h.Count}", repeat: h.Count) : null) is { } t)
                numbers.Add(t.Definition.Repeat);
        });
        Assert.Equal(Enumerable.Range(0, 12), numbers.Order());
        Assert.Equal(Enumerable.Range(0, 12), store.ListTrials(Sweep).Select(t => t.Definition.Repeat));
    }

    [StoreFact]
    public void SaveSweep_CreatesThenReplacesTheSpec()
    {
        var t0 = new DateTime(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);
        var now = t0;
        var store = Open(() => now);
        Assert.Null(store.GetSweep(Sweep));
        store.SaveSweep(Sweep, "axes: {lr: [0.1]}");
        now = t0.AddMinutes(5);
        store.SaveSweep(Sweep, "axes: {lr: [0.1, 0.01]}");
        store.SaveSweep("another", "axes: {}");

        var sweep = store.GetSweep(Sweep)!;
        Assert.Equal("axes: {lr: [0.1, 0.01]}", sweep.SpecText);
        Assert.Equal(t0, sweep.CreatedAt);
        Assert.Equal(t0.AddMinutes(5), sweep.UpdatedAt);
        Assert.Equal(DateTimeKind.Utc, sweep.CreatedAt.Kind);
        Assert.Equal(["another", Sweep], store.ListSweeps().Select(s => s.Name));
    }

    [StoreFact]
    public void AddTrials_AddsOnlyTrialsNotYetRecorded()
    {
        var store = Open();
        Assert.Equal(3, store.AddTrials([Trial("aaa"), Trial("bbb"), Trial("ccc")]));
        Assert.Equal(0, store.AddTrials([Trial("aaa"), Trial("bbb"), Trial("ccc")]));
        // A changed spec: two trials kept, two new.
        Assert.Equal(2, store.AddTrials([Trial("bbb"), Trial("ccc"), Trial("ddd"), Trial("eee")]));
        // The same trial id in another sweep is another trial.
        Assert.Equal(1, store.AddTrials([Trial("aaa", "other")]));

        var trials = store.ListTrials(Sweep);
        Assert.Equal(["aaa", "bbb", "ccc", "ddd", "eee"], trials.Select(t => t.TrialId));
        Assert.All(trials, t => Assert.Equal(RunStatus.Pending, t.Status));
        Assert.All(trials, t => Assert.Null(t.Owner));
        Assert.All(trials, t => Assert.Null(t.Heartbeat));
        Assert.All(trials, t => Assert.Equal(0, t.Attempts));
        Assert.All(trials, t => Assert.Equal(DateTimeKind.Utc, t.CreatedAt.Kind));
        Assert.Equal(6, store.ListTrials().Count);

        var first = trials[0].Definition;
        Assert.Equal(Trial("aaa").Point, first.Point);
        Assert.Equal(Trial("aaa") with { Point = NoPoint }, first with { Point = NoPoint });
    }

    [StoreFact]
    public void ClaimNext_TakesLowestRunIdFirstAndReturnsNullWhenNonePending()
    {
        var t0 = new DateTime(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);
        var store = Open(() => t0);
        store.AddTrials(Trials(3));
        store.AddTrials(Trials(1, "other"));

        var claimed = new List<TrialRecord>();
        while (store.ClaimNext(Sweep, "host:1") is { } t) claimed.Add(t);

        Assert.Equal(store.ListTrials(Sweep).Select(t => t.RunId), claimed.Select(t => t.RunId));
        Assert.All(claimed, t =>
        {
            Assert.Equal(RunStatus.Running, t.Status);
            Assert.Equal("host:1", t.Owner);
            Assert.Equal(1, t.Attempts);
            Assert.Equal(t0, t.Heartbeat);
            Assert.Equal(t0, t.StartedAt);
            Assert.Equal(DateTimeKind.Utc, t.StartedAt!.Value.Kind);
        });
        Assert.Null(store.ClaimNext(Sweep, "host:1"));
        Assert.Equal(RunStatus.Pending, store.ListTrials("other").Single().Status);
    }

    [StoreFact]
    public void ListRuns_FiltersSortsAndPagesInTheStore_AsAListInMemoryWould()
    {
        var store = Open();
        string[] acts = ["relu", "tanh", "sigmoid"];
        store.AddTrials(Enumerable.Range(0, 24).Select(i => Trial($"t{i:D2}", i < 12 ? "a" : "b_%") with { Point = [new("act", acts[i % 3]), new("lr", i % 2 == 0 ? "0.1" : "0.01")] }));
        store.StartRun(Trial("solo", sweep: null), "host:1");
        foreach (string sweep in (string[])["a", "b_%"])
            for (int k = 0; k < 9 && store.ClaimNext(sweep, "host:1") is { } t; k++)
            {
                if (k == 4) { store.Fail(t.RunId, "host:1", "Out of memory"); continue; }
                store.Complete(t.RunId, "host:1", new TrialOutcome(new RunSummary
                {
                    Status = RunStatus.Completed, TestAccuracy = k == 2 ? null : (t.RunId * 37 % 11) / 11.0, EpochsRun = 1 + k,
                }, null, [], []));
            }
        var all = store.ListTrials();
        static string Label(TrialRecord t) => string.Join(", ", t.Definition.Point.Select(p => $"{p.Key}={p.Value}"));
        void Check(RunListQuery q, Func<TrialRecord, bool> filter, Func<TrialRecord, IComparable?> key)
        {
            var expected = all.Where(filter).ToList();
            expected.Sort((x, y) =>
            {
                var (kx, ky) = (key(x), key(y));
                int c = kx == null ? (ky == null ? 0 : -1) : ky == null ? 1 : kx.CompareTo(ky);
                if (c == 0) c = x.RunId.CompareTo(y.RunId);
                return q.Descending ? -c : c;
            });
            var page = store.ListRuns(q);
            Assert.Equal(expected.Count, page.Total);
            Assert.Equal(expected.Skip(q.Offset).Take(q.Limit).Select(t => t.RunId), page.Runs.Select(t => t.RunId));
        }
        Check(new RunListQuery(), _ => true, t => t.RunId);
        Check(new RunListQuery { Sort = RunListSort.TestAccuracy, Descending = true, Offset = 3, Limit = 7 }, _ => true, t => t.Summary?.TestAccuracy);
        Check(new RunListQuery { Sort = RunListSort.TestAccuracy, Limit = 100 }, _ => true, t => t.Summary?.TestAccuracy);
        Check(new RunListQuery { Sweep = "b_%", Sort = RunListSort.EpochsRun, Limit = 5 }, t => t.Sweep == "b_%", t => t.Summary?.EpochsRun);
        Check(new RunListQuery { Sweep = "", Limit = 5 }, t => t.Sweep == null, t => t.RunId);
        Check(new RunListQuery { Status = RunStatus.Failed, Limit = 5 }, t => t.Status == RunStatus.Failed, t => t.RunId);
        Check(new RunListQuery { Text = "ACT=tanh, lr=0.01", Limit = 50 }, t => Label(t).Contains("act=tanh, lr=0.01", StringComparison.Ordinal), t => t.RunId);
        Check(new RunListQuery { Text = "h, lr=0.1", Limit = 50 }, t => Label(t).Contains("h, lr=0.1", StringComparison.Ordinal), t => t.RunId);
        Check(new RunListQuery { Text = "memory", Limit = 50 }, t => t.Error?.Contains("memory", StringComparison.Ordinal) == true, t => t.RunId);
        Check(new RunListQuery { Text = "_%", Sort = RunListSort.TrialId, Descending = true, Limit = 50 }, t => t.Sweep == "b_%", t => t.TrialId);
        Check(new RunListQuery { Text = "t1", Limit = 50 }, t => t.TrialId.StartsWith("t1", StringComparison.Ordinal), t => t.RunId);
        var none = store.ListRuns(new RunListQuery { Limit = 0 });
        Assert.Equal((0, all.Count), (none.Runs.Count, none.Total));
    }

    [StoreFact]
    public void ClaimNext_RestrictedToTrialIds_TakesOnlyThose()
    {
        var store = Open();
        store.AddTrials([Trial("aaa"), Trial("bbb"), Trial("ccc")]);
        string[] wanted = ["ccc", "aaa", "zzz"];

        Assert.Equal("aaa", store.ClaimNext(Sweep, "host:1", wanted)!.TrialId);
        Assert.Equal("ccc", store.ClaimNext(Sweep, "host:1", wanted)!.TrialId);
        Assert.Null(store.ClaimNext(Sweep, "host:1", wanted));
        Assert.Null(store.ClaimNext(Sweep, "host:1", []));
        Assert.Equal("bbb", store.ClaimNext(Sweep, "host:1")!.TrialId);
    }

    [StoreFact]
    public void FourStoresClaimingAtOnce_NeverClaimTheSameTrial()
    {
        const int count = 120;
        Open().AddTrials(Trials(count));
        var claims = new ConcurrentBag<(string Owner, long RunId)>();
        var errors = new ConcurrentBag<Exception>();
        var start = new Barrier(4);

        void Worker(string owner)
        {
            try
            {
                // Its own store, so its own connection, as a second process would have.
                using var store = OpenStore(null);
                start.SignalAndWait();
                while (store.ClaimNext(Sweep, owner) is { } t) claims.Add((t.Owner!, t.RunId));
            }
            catch (Exception e)
            {
                errors.Add(e);
            }
        }

        var threads = new[] { "host:101", "host:102", "host:103", "host:104" }.Select(o => new Thread(() => Worker(o))).ToArray();
        foreach (var th in threads) th.Start();
        foreach (var th in threads) th.Join();
        Assert.Empty(errors);

        var all = Open().ListTrials(Sweep);
        Assert.Equal(count, claims.Count);
        Assert.Equal(all.Select(t => t.RunId).Order(), claims.Select(c => c.RunId).Order());
        Assert.All(claims, c => Assert.Equal(c.Owner, all.Single(t => t.RunId == c.RunId).Owner));
        Assert.All(all, t => Assert.Equal(1, t.Attempts));
        Assert.All(all, t => Assert.Equal(RunStatus.Running, t.Status));
    }

    [StoreFact]
    public void OnlyTheHolderCanHeartbeatRecordCompleteOrFail()
    {
        var (store, id) = OpenWithClaimedTrial();
        var before = store.GetTrial(id);

        Assert.False(store.Heartbeat(id, "host:2"));
        Assert.False(store.RecordEpoch(id, "host:2", new EpochMetrics(1, 0.5, 0.8, null, null, 0.1, 1.0)));
        Assert.False(store.Complete(id, "host:2", Outcome(RunStatus.Completed)));
        Assert.False(store.Fail(id, "host:2", "not mine"));
        Assert.False(store.Heartbeat(id + 1000, "host:1"));
        AssertSameRecord(before!, store.GetTrial(id));
        Assert.Empty(store.GetEpochs(id));

        Assert.True(store.Heartbeat(id, "host:1"));
        Assert.True(store.Fail(id, "host:1", "boom"));
        // Once final, even the former holder cannot change it.
        Assert.False(store.Heartbeat(id, "host:1"));
        Assert.False(store.Complete(id, "host:1", Outcome(RunStatus.Completed)));
        Assert.Equal(RunStatus.Failed, store.GetTrial(id)!.Status);
    }

    [StoreFact]
    public void Heartbeat_MovesTheHeartbeatForward()
    {
        var now = new DateTime(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);
        var (store, id) = OpenWithClaimedTrial(() => now);
        now = now.AddSeconds(30.5);
        Assert.True(store.Heartbeat(id, "host:1"));
        Assert.Equal(Stored(now), store.GetTrial(id)!.Heartbeat);
    }

    [StoreFact]
    public void RecordEpoch_RewritesAnEpochOfAResumedTrial()
    {
        var (store, id) = OpenWithClaimedTrial();
        var e1 = new EpochMetrics(1, 2.302585092994046, 0.1, 2.2, 0.15, 0.1, 1.25);
        var e2 = new EpochMetrics(2, 0.1 + 0.2, 1.0 / 3.0, null, null, 1e-300, double.Epsilon);
        var e2Again = new EpochMetrics(2, 0.25, 0.75, 0.5, 0.7, 0.05, 3.5);
        Assert.True(store.RecordEpoch(id, "host:1", e1));
        Assert.True(store.RecordEpoch(id, "host:1", e2));
        Assert.Equal([e1, e2], store.GetEpochs(id));

        Assert.True(store.RecordEpoch(id, "host:1", e2Again));
        Assert.Equal([e1, e2Again], store.GetEpochs(id));
    }

    [StoreFact]
    public void RecordEpoch_KeepsInfinitiesAndReadsANaNLossBackAsNaN()
    {
        var (store, id) = OpenWithClaimedTrial();
        var e = new EpochMetrics(1, double.NaN, 0.1, double.PositiveInfinity, double.NegativeInfinity, 0.1, 1.0);
        Assert.True(store.RecordEpoch(id, "host:1", e));
        Assert.Equal([e], store.GetEpochs(id));
    }

    protected static TrialOutcome Outcome(RunStatus status) =>
        new(new RunSummary { Status = status, EpochsRun = 1, Parameters = 10 }, null, [], []);

    [StoreFact]
    public void Complete_RoundTripsSummaryConfusionAndMisclassified()
    {
        var t0 = new DateTime(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc).AddTicks(1234567);
        var now = t0;
        var (store, id) = OpenWithClaimedTrial(() => now);
        Assert.Null(store.GetOutcome(id));

        var summary = new RunSummary
        {
            Status = RunStatus.EarlyStopped,
            TestAccuracy = 0.9712,
            TestLoss = 0.1 + 0.2,
            StartValAccuracy = null,
            BestValAccuracy = 1.0 / 3.0,
            BestValEpoch = 7,
            LowestTrainLoss = 1e-300,
            LowestTrainLossEpoch = 9,
            EpochsRun = 10,
            DivergedEpoch = null,
            DivergedStep = null,
            TrainSeconds = 123.456789012345,
            SecondsPerEpoch = double.Epsilon,
            Parameters = 5_000_000_123L,
        };
        var confusion = new long[,] { { 50, 1, 0 }, { 2, 40, 3_000_000_000L }, { 0, 0, 7 } };
        Misclassification[] wrong = [new(3, 0, 1), new(17, 1, 0), new(99, 1, 2)];
        now = t0.AddMinutes(3);
        Assert.True(store.Complete(id, "host:1", new TrialOutcome(summary, confusion, ["zero", "one", "two, with comma"], wrong)));

        var outcome = store.GetOutcome(id)!;
        Assert.Equal(summary, outcome.Summary);
        Assert.Equal(confusion, outcome.Confusion);
        Assert.Equal((3, 3), (outcome.Confusion!.GetLength(0), outcome.Confusion.GetLength(1)));
        Assert.Equal(["zero", "one", "two, with comma"], outcome.ClassNames);
        Assert.Equal(wrong, outcome.Misclassified);

        var trial = store.GetTrial(id)!;
        Assert.Equal(RunStatus.EarlyStopped, trial.Status);
        Assert.Equal(summary, trial.Summary);
        Assert.Equal(Stored(now), trial.FinishedAt);
        Assert.Equal(DateTimeKind.Utc, trial.FinishedAt!.Value.Kind);
        Assert.Null(trial.Error);
    }

    [StoreFact]
    public void Complete_DivergedTrialKeepsItsNullsAndHasNoConfusion()
    {
        var (store, id) = OpenWithClaimedTrial();
        var summary = new RunSummary { Status = RunStatus.Diverged, EpochsRun = 2, DivergedEpoch = 2, DivergedStep = 13, TrainSeconds = 0.5, SecondsPerEpoch = 0.5, Parameters = 42 };
        Assert.True(store.Complete(id, "host:1", new TrialOutcome(summary, null, ["a", "b"], [])));

        var outcome = store.GetOutcome(id)!;
        Assert.Equal(summary, outcome.Summary);
        Assert.Null(outcome.Confusion);
        Assert.Equal(["a", "b"], outcome.ClassNames);
        Assert.Empty(outcome.Misclassified);
        Assert.Equal(RunStatus.Diverged, store.GetTrial(id)!.Status);
    }

    [StoreFact]
    public void Complete_RefusesASummaryStatusThatIsNotFinal()
    {
        var (store, id) = OpenWithClaimedTrial();
        Assert.Throws<ArgumentException>(() => store.Complete(id, "host:1", Outcome(RunStatus.Failed)));
        Assert.Equal(RunStatus.Running, store.GetTrial(id)!.Status);
    }

    [StoreFact]
    public void Fail_KeepsTheErrorAndLeavesNoOutcome()
    {
        var (store, id) = OpenWithClaimedTrial();
        Assert.True(store.Fail(id, "host:1", "Out of memory at epoch 3."));

        var trial = store.GetTrial(id)!;
        Assert.Equal(RunStatus.Failed, trial.Status);
        Assert.Equal("Out of memory at epoch 3.", trial.Error);
        Assert.NotNull(trial.FinishedAt);
        Assert.Null(trial.Summary);
        Assert.Null(store.GetOutcome(id));
    }

    [StoreFact]
    public void ReclaimAbandoned_TakesBackDeadAndStaleHoldersOnly()
    {
        var t0 = new DateTime(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);
        var now = t0;
        var store = Open(() => now);
        store.AddTrials([Trial("dead"), Trial("stale"), Trial("live"), Trial("remote"), Trial("waiting")]);
        store.AddTrials([Trial("elsewhere", "other")]);
        string deadOwner = $"{Environment.MachineName}:{(int.MaxValue - 7).ToString(CultureInfo.InvariantCulture)}";
        long dead = store.ClaimNext(Sweep, deadOwner, ["dead"])!.RunId;
        long stale = store.ClaimNext(Sweep, "far-host:12", ["stale"])!.RunId;
        long live = store.ClaimNext(Sweep, Owner.Current, ["live"])!.RunId;
        long remote = store.ClaimNext(Sweep, "far-host:13", ["remote"])!.RunId;
        long elsewhere = store.ClaimNext("other", deadOwner)!.RunId;

        // Ten minutes on, every holder but the stale one has just beaten.
        now = t0.AddMinutes(10);
        Assert.True(store.Heartbeat(dead, deadOwner));
        Assert.True(store.Heartbeat(live, Owner.Current));
        Assert.True(store.Heartbeat(remote, "far-host:13"));

        var reclaimed = store.ReclaimAbandoned(Sweep, TimeSpan.FromMinutes(5));

        Assert.Equal([dead, stale], reclaimed.Select(t => t.RunId));
        Assert.All(reclaimed, t =>
        {
            Assert.Equal(RunStatus.Pending, t.Status);
            Assert.Null(t.Owner);
        });
        Assert.Equal(RunStatus.Running, store.GetTrial(live)!.Status);
        Assert.Equal(Owner.Current, store.GetTrial(live)!.Owner);
        Assert.Equal(RunStatus.Running, store.GetTrial(remote)!.Status);
        Assert.Equal(RunStatus.Running, store.GetTrial(elsewhere)!.Status);
        Assert.Empty(store.ReclaimAbandoned(Sweep, TimeSpan.FromMinutes(5)));

        // The old holder cannot report any more; the next claim counts a second attempt.
        Assert.False(store.Heartbeat(stale, "far-host:12"));
        var again = store.ClaimNext(Sweep, Owner.Current)!;
        Assert.Equal(dead, again.RunId);
        Assert.Equal(2, again.Attempts);
    }

    [StoreFact]
    public void ReclaimAbandoned_ZeroGraceTakesBackAnyHolderWithAnOlderHeartbeat()
    {
        var t0 = new DateTime(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);
        var now = t0;
        var store = Open(() => now);
        store.AddTrials([Trial("aaa")]);
        long id = store.ClaimNext(Sweep, Owner.Current)!.RunId;
        Assert.Empty(store.ReclaimAbandoned(Sweep, TimeSpan.Zero));
        now = t0 + Resolution;
        Assert.Equal([id], store.ReclaimAbandoned(Sweep, TimeSpan.Zero).Select(t => t.RunId));
    }

    [StoreFact]
    public void ReclaimAbandoned_AfterMaxAttempts_FailsTheTrialWithTheReason()
    {
        var t0 = new DateTime(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);
        var now = t0;
        var store = Open(() => now);
        store.AddTrials([Trial("aaa"), Trial("bbb")]);
        long id = 0;
        for (int attempt = 1; attempt <= 3; attempt++)
        {
            var claimed = store.ClaimNext(Sweep, $"far-host:{attempt}", ["aaa"])!;
            Assert.Equal(attempt, claimed.Attempts);
            id = claimed.RunId;
            now = now.AddMinutes(2);
            var back = store.ReclaimAbandoned(Sweep, TimeSpan.FromMinutes(1), maxAttempts: 3).Single();
            Assert.Equal(attempt < 3 ? RunStatus.Pending : RunStatus.Failed, back.Status);
        }
        var failed = store.GetTrial(id)!;
        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Null(failed.Owner);
        Assert.Equal(Stored(now), failed.FinishedAt);
        Assert.Contains("given up after 3 attempts (max attempts 3)", failed.Error);
        Assert.Contains("far-host:3", failed.Error);
        Assert.Null(store.ClaimNext(Sweep, "far-host:4", ["aaa"]));
        // The former holder cannot complete it, and the other trial was never touched.
        Assert.False(store.Complete(id, "far-host:3", Outcome(RunStatus.Completed)));
        Assert.Equal(RunStatus.Pending, store.ListTrials(Sweep).Single(t => t.TrialId == "bbb").Status);
        // Without a limit a trial goes back to pending however often its holders die.
        Assert.Equal("bbb", store.ClaimNext(Sweep, "far-host:5")!.TrialId);
        now = now.AddMinutes(2);
        Assert.Equal(RunStatus.Pending, store.ReclaimAbandoned(Sweep, TimeSpan.FromMinutes(1)).Single().Status);
    }

    [StoreFact]
    public void StartRun_RecordsARunOutsideAnySweep()
    {
        var store = Open();
        store.AddTrials([Trial("abc123000000")]);
        long first = store.StartRun(Trial("abc123000000", sweep: null), Owner.Current);
        long second = store.StartRun(Trial("abc123000000", sweep: null), Owner.Current);
        Assert.NotEqual(first, second);

        var run = store.GetTrial(first)!;
        Assert.Null(run.Sweep);
        Assert.Equal(RunStatus.Running, run.Status);
        Assert.Equal(Owner.Current, run.Owner);
        Assert.Equal(1, run.Attempts);
        Assert.NotNull(run.StartedAt);
        Assert.NotNull(run.Heartbeat);
        Assert.Equal("runs/train/abc123000000", run.Definition.RunDir);

        Assert.True(store.RecordEpoch(first, Owner.Current, new EpochMetrics(1, 0.5, 0.8, null, null, 0.1, 1.0)));
        Assert.True(store.Complete(first, Owner.Current, Outcome(RunStatus.Completed)));
        Assert.Equal(RunStatus.Completed, store.GetTrial(first)!.Status);

        Assert.Single(store.ListTrials(Sweep));
        Assert.Equal(3, store.ListTrials().Count);
        // A sweep's reclaim leaves runs outside any sweep alone.
        Assert.Empty(store.ReclaimAbandoned(Sweep, TimeSpan.Zero));
        Assert.Equal(RunStatus.Running, store.GetTrial(second)!.Status);
        Assert.Throws<ArgumentException>(() => store.StartRun(Trial("x"), Owner.Current));
        Assert.Throws<ArgumentException>(() => store.AddTrials([Trial("y", sweep: null)]));
    }

    [StoreFact]
    public void FindTrials_MatchesTrialIdPrefixesInAnySweep()
    {
        var store = Open();
        store.AddTrials([Trial("ab12"), Trial("ab34"), Trial("cd56")]);
        store.AddTrials([Trial("ab12", "other")]);
        store.StartRun(Trial("ab99", sweep: null), Owner.Current);

        Assert.Equal(["ab12", "ab34", "ab12", "ab99"], store.FindTrials("ab").Select(t => t.TrialId));
        Assert.Equal(2, store.FindTrials("ab12").Count);
        Assert.Empty(store.FindTrials("AB"));
        Assert.Empty(store.FindTrials("a%"));
        Assert.Empty(store.FindTrials("ab12x"));
    }

    [StoreFact]
    public void Reopen_SeesEverythingCommittedByAStoreThatWasNeverClosed()
    {
        // The first store is abandoned open, as a killed process leaves it: every commit must already be durable.
        var first = Open();
        first.SaveSweep(Sweep, "spec");
        first.AddTrials([Trial("aaa"), Trial("bbb"), Trial("ccc")]);
        long done = first.ClaimNext(Sweep, "host:1")!.RunId;
        long failed = first.ClaimNext(Sweep, "host:1")!.RunId;
        long running = first.ClaimNext(Sweep, "host:1")!.RunId;
        var epoch = new EpochMetrics(1, 0.5, 0.8, 0.6, 0.75, 0.1, 2.0);
        first.RecordEpoch(done, "host:1", epoch);
        first.RecordEpoch(running, "host:1", epoch);
        var summary = new RunSummary { Status = RunStatus.Completed, TestAccuracy = 0.9, EpochsRun = 1, Parameters = 7 };
        first.Complete(done, "host:1", new TrialOutcome(summary, new long[,] { { 1, 2 }, { 3, 4 } }, ["a", "b"], [new(0, 1, 0)]));
        first.Fail(failed, "host:1", "boom");

        // The second process looks an hour later, so the abandoned trial's heartbeat is stale.
        var second = Open(() => DateTime.UtcNow.AddHours(1));
        Assert.Equal("spec", second.GetSweep(Sweep)!.SpecText);
        Assert.Equal([RunStatus.Completed, RunStatus.Failed, RunStatus.Running], second.ListTrials(Sweep).Select(t => t.Status));
        Assert.Equal([epoch], second.GetEpochs(done));
        Assert.Equal([epoch], second.GetEpochs(running));
        var outcome = second.GetOutcome(done)!;
        Assert.Equal(summary, outcome.Summary);
        Assert.Equal(new long[,] { { 1, 2 }, { 3, 4 } }, outcome.Confusion);
        Assert.Equal("boom", second.GetTrial(failed)!.Error);
        // The second store can take over the abandoned running trial.
        Assert.Equal([running], second.ReclaimAbandoned(Sweep, TimeSpan.FromMinutes(5)).Select(t => t.RunId));
    }

    [StoreFact]
    public void Dispose_ClosesTheConnection()
    {
        var store = OpenStore(null);
        store.Dispose();
        Assert.ThrowsAny<InvalidOperationException>(() => store.ListTrials());
    }
    [StoreFact]
    public void EveryRunStatus_CanBeStored()
    {
        // The schema's CHECK admits every status DESIGN.md lists: the ones with results through Complete,
        // failed and interrupted through their own calls, pending and running through claims.
        var store = Open();
        var withResults = Enum.GetValues<RunStatus>().Where(s => s.HasResults()).ToList();
        store.AddTrials(Trials(withResults.Count + 2));
        foreach (var status in withResults)
        {
            long id = store.ClaimNext(Sweep, "host:1")!.RunId;
            Assert.True(store.Complete(id, "host:1", Outcome(status)));
            Assert.Equal(status, store.GetTrial(id)!.Status);
        }
        long failed = store.ClaimNext(Sweep, "host:1")!.RunId;
        Assert.True(store.Fail(failed, "host:1", "boom"));
        long interrupted = store.ClaimNext(Sweep, "host:1")!.RunId;
        Assert.True(store.Interrupt(interrupted, "host:1", "interrupted; go on later"));
        store.AddTrials([Trial("pending"), Trial("running")]);
        store.ClaimNext(Sweep, "host:1", ["running"]);
        Assert.Equal(Enum.GetValues<RunStatus>().Order(), store.ListTrials(Sweep).Select(t => t.Status).Order());
    }

    [StoreFact]
    public void Interrupt_IsHolderChecked_AndKeepsTheNote()
    {
        var (store, id) = OpenWithClaimedTrial();
        Assert.False(store.Interrupt(id, "host:2", "not mine"));
        Assert.Equal(RunStatus.Running, store.GetTrial(id)!.Status);
        Assert.True(store.Interrupt(id, "host:1", "interrupted; the sweep takes it up again"));
        var t = store.GetTrial(id)!;
        Assert.Equal(RunStatus.Interrupted, t.Status);
        Assert.Equal("host:1", t.Owner);
        Assert.Equal("interrupted; the sweep takes it up again", t.Error);
        Assert.Null(t.FinishedAt);
        Assert.False(t.Status.IsFinal());
        Assert.Null(store.GetOutcome(id));
        // Not running any more: its former holder cannot report on it.
        Assert.False(store.Heartbeat(id, "host:1"));
        Assert.False(store.RecordEpoch(id, "host:1", new EpochMetrics(1, 0.5, 0.8, null, null, 0.1, 1.0)));
    }

    [StoreFact]
    public void ReclaimAbandoned_TakesBackInterruptedTrialsAtOnce_WithoutCountingThemAgainstMaxAttempts()
    {
        var store = Open();
        store.AddTrials([Trial("aaa"), Trial("bbb")]);
        long id = 0;
        for (int attempt = 1; attempt <= 4; attempt++)
        {
            var claimed = store.ClaimNext(Sweep, "host:1", ["aaa"])!;
            Assert.Equal(attempt, claimed.Attempts);
            id = claimed.RunId;
            Assert.True(store.Interrupt(id, "host:1", "interrupted"));
            // A live holder's running trial would stay; an interrupted one goes back now, even past max attempts.
            var back = Assert.Single(store.ReclaimAbandoned(Sweep, TimeSpan.FromHours(1), maxAttempts: 2));
            Assert.Equal((id, RunStatus.Pending), (back.RunId, back.Status));
            Assert.Null(back.Owner);
            Assert.Null(back.Error);
        }
        Assert.Equal(id, store.ClaimNext(Sweep, "host:2", ["aaa"])!.RunId);
        Assert.Equal(RunStatus.Pending, store.ListTrials(Sweep).Single(t => t.TrialId == "bbb").Status);
        Assert.Empty(store.ReclaimAbandoned("other", TimeSpan.Zero));
    }

    [StoreFact]
    public void PublishProgress_KeepsTheLatestPosition_AndTheLossCurve()
    {
        var t0 = new DateTime(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);
        var now = t0;
        var (store, id) = OpenWithClaimedTrial(() => now);
        Assert.Null(store.GetProgress(id));

        var first = new ProgressPosition(1, 3, 40, 100, 2.25, null);
        Assert.True(store.PublishProgress(id, "host:1", first, new LossWindow(1, 40, 40, 2.25), newAttempt: true));
        now = t0.AddSeconds(1);
        var second = new ProgressPosition(1, 3, 100, 100, 1.5, 60.5);
        Assert.True(store.PublishProgress(id, "host:1", second, new LossWindow(1, 100, 60, 1.0), newAttempt: false));
        now = t0.AddSeconds(2);
        var third = new ProgressPosition(2, 3, 30, 100, double.NaN, 61.25);
        Assert.True(store.PublishProgress(id, "host:1", third, new LossWindow(2, 30, 30, 0.75), newAttempt: false));

        var progress = store.GetProgress(id)!;
        Assert.Equal(third, progress.Position);
        Assert.Equal(Stored(now), progress.UpdatedAt);
        Assert.Equal(
            [new LossPoint(1, 40, 40, 2.25, Stored(t0)), new LossPoint(1, 100, 60, 1.0, Stored(t0.AddSeconds(1))), new LossPoint(2, 30, 30, 0.75, Stored(now))],
            progress.Losses);
        // A publish is a heartbeat.
        Assert.Equal(Stored(now), store.GetTrial(id)!.Heartbeat);
        // A reader that follows the run asks only for the points after the last one it has.
        Assert.Equal([2], store.GetProgress(id, afterEpoch: 1, afterStep: 100)!.Losses.Select(p => p.Epoch));
        Assert.Equal([100, 30], store.GetProgress(id, afterEpoch: 1, afterStep: 40)!.Losses.Select(p => p.Step));
        Assert.Empty(store.GetProgress(id, afterEpoch: 2, afterStep: 30)!.Losses);
        // An epoch's end: its last steps and its metrics in one publish.
        var ended = new EpochMetrics(2, 0.5, 0.9, null, null, 0.1, 2.5);
        Assert.True(store.PublishProgress(id, "host:1", third with { Step = 100 }, new LossWindow(2, 100, 70, 0.25), newAttempt: false, ended));
        Assert.Equal([ended], store.GetEpochs(id));
        Assert.Equal(4, store.GetProgress(id)!.Losses.Count);
        Assert.False(store.PublishProgress(id, "host:2", third, null, newAttempt: false, ended with { Epoch = 3 }));
        Assert.Equal([ended], store.GetEpochs(id));
        // A position without a new window only moves the position.
        Assert.True(store.PublishProgress(id, "host:1", third with { Epoch = 3, Step = 1 }, null, newAttempt: false));
        Assert.Equal(4, store.GetProgress(id)!.Losses.Count);
        Assert.Equal((3, 1), (store.GetProgress(id)!.Position.Epoch, store.GetProgress(id)!.Position.Step));
    }

    [StoreFact]
    public void ReadConsistent_ReadsOneSnapshot_WhileAnotherConnectionEndsAnEpoch()
    {
        // The dashboard's run page reads a run's epochs and its position so: they never disagree (issue 15).
        var (writer, id) = OpenWithClaimedTrial();
        var reader = Open();
        var position = new ProgressPosition(1, 5, 10, 10, 1.0, 20);
        var epoch1 = new EpochMetrics(1, 1.0, 0.5, null, null, 0.1, 1);
        Assert.True(writer.PublishProgress(id, "host:1", position, new LossWindow(1, 10, 10, 1.0), newAttempt: true, epoch1));

        var (epochs, progress, epochsAgain, trial) = reader.ReadConsistent(s =>
        {
            var before = s.GetEpochs(id);
            // Another connection ends epoch 2 in between; this snapshot does not see it.
            Assert.True(writer.PublishProgress(id, "host:1", position with { Epoch = 2 }, new LossWindow(2, 10, 10, 0.5), newAttempt: false, epoch1 with { Epoch = 2 }));
            return (before, s.GetProgress(id)!, s.GetEpochs(id), s.ReadConsistent(inner => inner.GetTrial(id)));
        });
        Assert.Equal([1], epochs.Select(e => e.Epoch));
        Assert.Equal([1], epochsAgain.Select(e => e.Epoch));
        Assert.Equal(1, progress.Position.Epoch);
        Assert.Single(progress.Losses);
        Assert.Equal(id, trial!.RunId);
        // Outside the snapshot the new commit is seen, and the store still writes and reads as before.
        Assert.Equal(2, reader.GetProgress(id)!.Position.Epoch);
        Assert.Equal([1, 2], reader.GetEpochs(id).Select(e => e.Epoch));
        Assert.True(reader.Heartbeat(id, "host:1"));
    }

    [StoreFact]
    public void PublishProgress_IsHolderChecked()
    {
        var (store, id) = OpenWithClaimedTrial();
        var position = new ProgressPosition(1, 2, 5, 10, 1.0, 10);
        Assert.False(store.PublishProgress(id, "host:2", position, new LossWindow(1, 5, 5, 1.0), newAttempt: true));
        Assert.Null(store.GetProgress(id));
        Assert.True(store.Fail(id, "host:1", "boom"));
        Assert.False(store.PublishProgress(id, "host:1", position, new LossWindow(1, 5, 5, 1.0), newAttempt: true));
        Assert.Null(store.GetProgress(id));
    }

    [StoreFact]
    public void PublishProgress_ANewAttemptDropsThePointsItTrainsAgain()
    {
        var (store, id) = OpenWithClaimedTrial();
        void Publish(int epoch, int step, int steps, bool newAttempt) =>
            Assert.True(store.PublishProgress(id, "host:1", new ProgressPosition(epoch, 3, step, 100, 1.0, 5), new LossWindow(epoch, step, steps, 1.0 / step), newAttempt));
        Publish(1, 50, 50, true);
        Publish(1, 100, 50, false);
        Publish(2, 50, 50, false);
        Publish(2, 80, 30, false);
        Publish(3, 20, 20, false);
        // Resumed from the checkpoint at epoch 2, step 50: its first window is steps 51-70.
        Publish(2, 70, 20, true);
        Assert.Equal([(1, 50), (1, 100), (2, 50), (2, 70)], store.GetProgress(id)!.Losses.Select(p => (p.Epoch, p.Step)));
        Assert.Equal((2, 70), (store.GetProgress(id)!.Position.Epoch, store.GetProgress(id)!.Position.Step));
    }

    [StoreFact]
    public void FindRun_GivesTheLatestRunOutsideAnySweepWithTheRunDirectory()
    {
        var store = Open();
        var run = Trial("aaa", sweep: null) with { RunDir = "/data/runs/one" };
        Assert.Null(store.FindRun("/data/runs/one"));
        long first = store.StartRun(run, "host:1");
        long second = store.StartRun(run with { RunDir = "/data/runs/one/" }, "host:1");
        store.StartRun(run with { RunDir = "/data/runs/two" }, "host:1");
        store.AddTrials([Trial("aaa") with { RunDir = "/data/runs/one" }]);
        Assert.Equal(second, store.FindRun("/data/runs/one")!.RunId);
        Assert.Equal(second, store.FindRun("/data/runs/one/")!.RunId);
        Assert.NotEqual(first, second);
        Assert.Null(store.FindRun("/data/runs"));
    }

    [StoreFact]
    public void Reopen_TakesUpAStoppedRun_AndRefusesOneALiveProcessHolds()
    {
        var t0 = new DateTime(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);
        var now = t0;
        var store = Open(() => now);
        var run = Trial("aaa", sweep: null);
        long id = store.StartRun(run, "far-host:1");
        Assert.True(store.RecordEpoch(id, "far-host:1", new EpochMetrics(1, 0.5, 0.8, null, null, 0.1, 1.0)));

        // Running, beating within the grace: another process holds it.
        now = t0.AddSeconds(30);
        Assert.False(store.Reopen(id, run, "host:2", TimeSpan.FromMinutes(1)));
        Assert.Equal("far-host:1", store.GetTrial(id)!.Owner);

        // Interrupted: taken up at once, with the resumed settings; the epochs stay.
        Assert.True(store.Interrupt(id, "far-host:1", "interrupted"));
        var resumed = run with { TrialId = "bbb", ConfigJson = """{"epochs":9}""", Seed = 5 };
        Assert.True(store.Reopen(id, resumed, "host:2", TimeSpan.FromMinutes(1)));
        var t = store.GetTrial(id)!;
        Assert.Equal((RunStatus.Running, "host:2", 2, "bbb", """{"epochs":9}""", 5L), (t.Status, t.Owner, t.Attempts, t.TrialId, t.Definition.ConfigJson, t.Definition.Seed));
        Assert.Null(t.Error);
        Assert.Equal(Stored(now), t.Heartbeat);
        Assert.Single(store.GetEpochs(id));

        // Running with a stale heartbeat (its process died): taken up.
        now = t0.AddMinutes(5);
        Assert.True(store.Reopen(id, resumed, "host:3", TimeSpan.FromMinutes(1)));
        Assert.Equal(3, store.GetTrial(id)!.Attempts);
        // A finished run can be trained further.
        Assert.True(store.Complete(id, "host:3", Outcome(RunStatus.Completed)));
        Assert.True(store.Reopen(id, resumed, "host:4", TimeSpan.FromMinutes(1)));
        Assert.Equal(RunStatus.Running, store.GetTrial(id)!.Status);
        Assert.Null(store.GetOutcome(id));

        // Sweep trials are not taken up this way.
        store.AddTrials([Trial("ccc")]);
        long trial = store.ListTrials(Sweep).Single().RunId;
        Assert.False(store.Reopen(trial, run, "host:5", TimeSpan.Zero));
        Assert.Throws<ArgumentException>(() => store.Reopen(id, Trial("x"), "host:5", TimeSpan.Zero));
    }
}
