using System.Text.Json;
using FcnLab.Engine.Tests.Data;
using FcnLab.Engine.Training;
using FcnLab.Lab.Reports;
using FcnLab.Lab.Runs;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;
using FcnLab.Lab.Tests.Reports;

namespace FcnLab.Lab.Tests.Runs;

/// <summary>A sweep stopped midway (Ctrl-C, SIGTERM) records its trial interrupted; the same sweep started again takes it up from its checkpoint.</summary>
public sealed class SweepRunnerTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly SweepSpec _spec;

    public SweepRunnerTests()
    {
        string data = IdxTestFiles.WriteDataset(_dir.File("data"), train: 96, test: 30, rows: 6, cols: 6, classes: 3, seed: 5);
        _spec = SweepSpecParser.Parse($$"""
            name: stop-and-go
            base: { data: "{{data}}", dataset: tiny, hidden: [8], epochs: 3, batch_size: 32, val_split: 16, threads: 1 }
            axes:
              lr: [0.1, 0.05]
            """);
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>Cancels the sweep when trial <paramref name="trial"/> has trained <paramref name="epochs"/> epochs.</summary>
    private sealed class StopIn(int trial, int epochs, CancellationTokenSource cancel) : ISweepObserver, ITrainingObserver
    {
        private int _number;

        public ITrainingObserver TrialStarted(TrialRecord t, int number, int total, bool resuming)
        {
            _number = number;
            return this;
        }

        public void EpochCompleted(EpochMetrics metrics, int total)
        {
            if (_number == trial && metrics.Epoch == epochs) cancel.Cancel();
        }
    }

    private sealed class Quiet : ISweepObserver;

    [Fact]
    public void AStoppedSweep_RecordsItsTrialInterrupted_AndStartedAgainEndsAsIfNeverStopped()
    {
        var options = new SweepRunOptions { ProgressEvery = TimeSpan.FromMilliseconds(1) };
        using var whole = SqliteRunStore.Open(_dir.File("whole/fcnlab.db"));
        Assert.True(SweepRunner.Run(_spec, whole, _dir.File("whole"), new Quiet(), options).AllFinal);

        using var parts = SqliteRunStore.Open(_dir.File("parts/fcnlab.db"));
        using (var cancel = new CancellationTokenSource())
            Assert.ThrowsAny<OperationCanceledException>(() => SweepRunner.Run(_spec, parts, _dir.File("parts"), new StopIn(2, 1, cancel), options, cancel.Token));
        var stopped = parts.ListTrials(_spec.Name);
        Assert.Equal([RunStatus.Completed, RunStatus.Interrupted], stopped.Select(t => t.Status));
        Assert.Equal(1, parts.GetProgress(stopped[1].RunId)!.Position.Epoch);
        var tally = SweepTally.Of(stopped);
        Assert.Equal((1, 1, false), (tally.Interrupted, tally.NotYetRun, tally.AllFinal));

        var again = SweepRunner.Run(_spec, parts, _dir.File("parts"), new Quiet(), options);
        Assert.Equal((2, 0), (again.Completed, again.NotYetRun));
        var resumed = parts.GetTrial(stopped[1].RunId)!;
        Assert.Equal(2, resumed.Attempts);
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(resumed.Definition.RunDir, "config.json"))))
            Assert.Equal(2, Assert.Single(config.RootElement.GetProperty("resumes").EnumerateArray()).GetProperty("epoch").GetInt32());
        foreach (var (w, p) in whole.ListTrials(_spec.Name).Zip(parts.ListTrials(_spec.Name)))
        {
            Assert.Equal(w.TrialId, p.TrialId);
            Assert.Equal(w.Summary! with { TrainSeconds = 0, SecondsPerEpoch = 0 }, p.Summary! with { TrainSeconds = 0, SecondsPerEpoch = 0 });
            Assert.Equal(whole.GetEpochs(w.RunId).Select(e => e with { Seconds = 0 }), parts.GetEpochs(p.RunId).Select(e => e with { Seconds = 0 }));
        }
    }
}
