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

    private static TrialOutcome Outcome(RunStatus status) =>
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
}
