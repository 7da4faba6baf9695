using System.Text.Json;
using FcnLab.Engine.Tests.Data;
using FcnLab.Engine.Training;
using FcnLab.Lab.Runs;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;
using FcnLab.Lab.Tests.Reports;

namespace FcnLab.Lab.Tests.Runs;

/// <summary>
/// A search run by `fcnlab sweep` on tiny data: the same spec and seed give the same trials in the same order; a search
/// stopped midway and started again ends as one never stopped; ASHA's decisions equal the rungs worked out by hand.
/// </summary>
public sealed class SearchRunnerTests : IDisposable
{
    private const int Epochs = 4, Trials = 8;
    private readonly TempDir _dir = new();
    private readonly SweepSpec _spec;
    private readonly SweepRunOptions _options = new() { ProgressEvery = TimeSpan.FromMilliseconds(1) };

    public SearchRunnerTests()
    {
        _spec = Spec("{kind: asha, min_epochs: 1, reduction_factor: 2}");
    }

    private SweepSpec Spec(string pruner)
    {
        string data = IdxTestFiles.WriteDataset(_dir.File("data"), train: 96, test: 30, rows: 6, cols: 6, classes: 3, seed: 5);
        return SweepSpecParser.Parse($$$"""
            name: tiny-search
            base: { data: "{{{data}}}", dataset: tiny, epochs: {{{Epochs}}}, batch_size: 32, val_split: 16, threads: 1, seed: 3 }
            method: tpe
            trials: {{{Trials}}}
            pruner: {{{pruner}}}
            space:
              lr: {log_uniform: [0.005, 1.0]}
              hidden: {layers: {int: [0, 2]}, width: {int_log: [2, 16]}}
            """);
    }

    public void Dispose() => _dir.Dispose();

    private sealed class Quiet : ISweepObserver;

    /// <summary>Cancels the search when its <paramref name="trial"/>-th trial has trained <paramref name="epochs"/> epochs.</summary>
    private sealed class StopIn(int trial, int epochs, CancellationTokenSource cancel) : ISweepObserver, ITrainingObserver
    {
        private int _started;

        public ITrainingObserver TrialStarted(TrialRecord t, int number, int total, bool resuming)
        {
            _started++;
            return this;
        }

        public void EpochCompleted(EpochMetrics metrics, int total)
        {
            if (_started == trial && metrics.Epoch == epochs) cancel.Cancel();
        }
    }

    private IReadOnlyList<TrialRecord> RunWhole(string name, SweepSpec? spec = null)
    {
        using var store = SqliteRunStore.Open(_dir.File($"{name}/fcnlab.db"));
        var tally = SweepRunner.Run(spec ?? _spec, store, _dir.File(name), new Quiet(), _options);
        Assert.True(tally.AllFinal);
        Assert.Equal(Trials, tally.Total);
        return store.ListTrials(_spec.Name);
    }

    private static void AssertSameTrials(string a, string b)
    {
        using var left = SqliteRunStore.Open(a);
        using var right = SqliteRunStore.Open(b);
        var l = left.ListTrials("tiny-search");
        var r = right.ListTrials("tiny-search");
        Assert.Equal(Trials, l.Count);
        Assert.Equal(l.Count, r.Count);
        foreach (var (x, y) in l.Zip(r))
        {
            Assert.Equal((x.Definition.Repeat, x.TrialId, x.Definition.Seed, x.Status), (y.Definition.Repeat, y.TrialId, y.Definition.Seed, y.Status));
            Assert.Equal(x.Definition.Point, y.Definition.Point);
            Assert.Equal(x.Summary! with { TrainSeconds = 0, SecondsPerEpoch = 0 }, y.Summary! with { TrainSeconds = 0, SecondsPerEpoch = 0 });
            Assert.Equal(left.GetEpochs(x.RunId).Select(e => e with { Seconds = 0 }), right.GetEpochs(y.RunId).Select(e => e with { Seconds = 0 }));
        }
    }

    [Fact]
    public void TheSameSpecAndSeed_GiveTheSameTrialsInTheSameOrder()
    {
        var first = RunWhole("one");
        RunWhole("two");
        AssertSameTrials(_dir.File("one/fcnlab.db"), _dir.File("two/fcnlab.db"));
        Assert.Equal(Enumerable.Range(0, Trials), first.Select(t => t.Definition.Repeat));
        Assert.Equal(Enumerable.Range(0, Trials).Select(k => 3L + k), first.Select(t => t.Definition.Seed));
        Assert.True(first.Select(t => t.Definition.Point[0].Value).Distinct().Count() > 1, "the trials try different learning rates");
    }

    [Fact]
    public void AStoppedSearch_StartedAgain_EndsAsIfNeverStopped()
    {
        RunWhole("whole");
        using (var parts = SqliteRunStore.Open(_dir.File("parts/fcnlab.db")))
        {
            // Two trials, then a stop in the middle of the fourth, then the rest.
            SweepRunner.Run(_spec, parts, _dir.File("parts"), new Quiet(), _options with { MaxTrials = 2 });
            Assert.Equal(2, parts.ListTrials(_spec.Name).Count);
            using (var cancel = new CancellationTokenSource())
                Assert.ThrowsAny<OperationCanceledException>(() => SweepRunner.Run(_spec, parts, _dir.File("parts"), new StopIn(2, 1, cancel), _options, cancel.Token));
            var stopped = parts.ListTrials(_spec.Name);
            Assert.Equal(RunStatus.Interrupted, stopped[^1].Status);
            Assert.Equal(4, stopped.Count);
            var tally = SweepRunner.Run(_spec, parts, _dir.File("parts"), new Quiet(), _options);
            Assert.True(tally.AllFinal);
            Assert.Equal(2, parts.GetTrial(stopped[^1].RunId)!.Attempts);
        }
        AssertSameTrials(_dir.File("whole/fcnlab.db"), _dir.File("parts/fcnlab.db"));
    }

    [Fact]
    public void AshaPrunes_AtTheRungsWorkedOutByHand_AndAPrunedTrialKeepsWhatItMeasured()
    {
        RunWhole("asha");
        using var store = SqliteRunStore.Open(_dir.File("asha/fcnlab.db"));
        var trials = store.ListTrials(_spec.Name);
        var values = trials.Select(t => store.GetEpochs(t.RunId).Select(e => e.ValAccuracy!.Value).ToList()).ToList();
        // Rungs at epochs 1 and 2 (min_epochs 1 x 2^k; epoch 4 is the last, where nothing is pruned). At a rung, a trial's
        // value joins the earlier trials' values there; of n values the best max(1, floor(n / 2)) go on, ties included.
        for (int k = 0; k < trials.Count; k++)
        {
            int? prunedAt = null;
            foreach (int rung in new[] { 1, 2 })
            {
                var at = values.Take(k).Where(v => v.Count >= rung).Select(v => v[rung - 1]).Append(values[k][rung - 1]).OrderDescending().ToList();
                int keep = Math.Max(1, at.Count / 2);
                if (values[k][rung - 1] < at[keep - 1]) { prunedAt = rung; break; }
            }
            var t = trials[k];
            if (prunedAt is { } e)
            {
                Assert.Equal(RunStatus.Pruned, t.Status);
                Assert.Equal(e, t.Summary!.EpochsRun);
                Assert.Equal(e, values[k].Count);
                Assert.StartsWith($"pruned at epoch {e}: val_accuracy", t.Summary.PruneReason);
                Assert.NotNull(t.Summary.TestAccuracy);
                string dir = t.Definition.RunDir;
                using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")));
                Assert.Equal("pruned", summary.RootElement.GetProperty("status").GetString());
                Assert.Equal("last", summary.RootElement.GetProperty("test_weights").GetString());
                Assert.Equal(t.Summary.PruneReason, summary.RootElement.GetProperty("prune_reason").GetString());
                Assert.True(File.Exists(Path.Combine(dir, "model.fcnlab")) && File.Exists(Path.Combine(dir, "checkpoint.fcnlab")));
                Assert.Equal(e + 1, File.ReadAllLines(Path.Combine(dir, "metrics.csv")).Length);
            }
            else
            {
                Assert.Equal(RunStatus.Completed, t.Status);
                Assert.Equal(Epochs, values[k].Count);
                Assert.Null(t.Summary!.PruneReason);
            }
        }
        Assert.Contains(trials, t => t.Status == RunStatus.Pruned);
        Assert.Contains(trials, t => t.Status == RunStatus.Completed);
    }

    [Fact]
    public void MedianPrunes_WhereTheBestSoFarIsBelowTheCompletedTrialsMedian_WorkedOutByHand()
    {
        RunWhole("median", Spec("{kind: median, startup_trials: 2}"));
        using var store = SqliteRunStore.Open(_dir.File("median/fcnlab.db"));
        var trials = store.ListTrials(_spec.Name);
        var values = trials.Select(t => store.GetEpochs(t.RunId).Select(e => e.ValAccuracy!.Value).ToList()).ToList();
        // At epochs 1 to 3 (not the last), once 2 earlier trials have completed: pruned when the trial's best value so far
        // is below the median of the completed trials' values at that epoch (the mean of the middle two for an even count).
        for (int k = 0; k < trials.Count; k++)
        {
            var completed = Enumerable.Range(0, k).Where(j => trials[j].Status == RunStatus.Completed).ToList();
            int? prunedAt = null;
            for (int e = 1; e < Epochs && completed.Count >= 2 && prunedAt == null; e++)
            {
                var at = completed.Select(j => values[j][e - 1]).Order().ToList();
                double median = at.Count % 2 == 1 ? at[at.Count / 2] : 0.5 * (at[at.Count / 2 - 1] + at[at.Count / 2]);
                if (values[k].Take(e).Max() < median) prunedAt = e;
            }
            Assert.Equal(prunedAt is { } p ? (RunStatus.Pruned, p) : (RunStatus.Completed, Epochs), (trials[k].Status, trials[k].Summary!.EpochsRun));
            if (prunedAt != null) Assert.StartsWith($"pruned at epoch {prunedAt}: best val_accuracy so far", trials[k].Summary!.PruneReason);
        }
        Assert.Contains(trials, t => t.Status == RunStatus.Pruned);
    }
}
