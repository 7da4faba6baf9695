using FcnLab.Engine;
using FcnLab.Engine.Data;
using FcnLab.Engine.Tests.Data;
using FcnLab.Engine.Optim;
using FcnLab.Engine.Training;
using FcnLab.Lab.Runs;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;
using FcnLab.Lab.Tests.Reports;

namespace FcnLab.Lab.Tests.Runs;

/// <summary>One run through <see cref="RunLifecycle"/> on tiny data and a SQLite store: what it records, and when.</summary>
public sealed class RunLifecycleTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly SqliteRunStore _store;
    private readonly TrainConfig _config;
    private readonly ImageDataset _data;
    private readonly RunOptions _options = new() { ProgressEvery = TimeSpan.FromMilliseconds(1) };

    public RunLifecycleTests()
    {
        _store = SqliteRunStore.Open(_dir.File("fcnlab.db"));
        // 96 training examples in batches of 32: every batch is whole, so the loss curve's points average exactly to each epoch's loss.
        string data = IdxTestFiles.WriteDataset(_dir.File("data"), train: 96, test: 30, rows: 6, cols: 6, classes: 3, seed: 3);
        _config = TrainSettings.Apply(new TrainConfig(), [
            new("data", data), new("dataset", "tiny"), new("hidden", "12"), new("epochs", "4"), new("batch-size", "32"),
            new("lr", "0.1"), new("val-split", "0"), new("threads", "1"),
        ]);
        _data = DatasetCatalog.Load(_config.DataOptions);
    }

    public void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
    }

    /// <summary>Cancels the run once <paramref name="epochs"/> epochs are done.</summary>
    private sealed class CancelAfter(int epochs, CancellationTokenSource cancel) : ITrainingObserver
    {
        public void EpochCompleted(EpochMetrics metrics, int total)
        {
            if (metrics.Epoch == epochs) cancel.Cancel();
        }
    }

    private static RunSummary WithoutTimes(RunSummary s) => s with { TrainSeconds = 0, SecondsPerEpoch = 0 };

    /// <summary>Record equality compares a run's (empty) grid point by reference: leave it out.</summary>
    private static TrialRecord WithoutPoint(TrialRecord t) => t with { Definition = t.Definition with { Point = [] } };

    [Fact]
    public void Train_RecordsTheRunAndItsProgress_AndWritesThePlots()
    {
        string runDir = _dir.File("run");
        var result = RunLifecycle.Train(_store, RunStart.Fresh(_config), _data, runDir, NullObserver.Instance, _options);

        var run = Assert.Single(_store.ListTrials());
        Assert.Equal((RunStatus.Completed, null, Path.GetFullPath(runDir)), (run.Status, run.Sweep, run.Definition.RunDir));
        Assert.Equal(TrialIdentity.Of(_config), run.TrialId);
        Assert.Equal(result.Epochs, _store.GetEpochs(run.RunId));
        Assert.Equal(result.Summary, _store.GetOutcome(run.RunId)!.Summary);

        var progress = _store.GetProgress(run.RunId)!;
        Assert.Equal((4, 4, 3, 3), (progress.Position.Epoch, progress.Position.Epochs, progress.Position.Step, progress.Position.Steps));
        foreach (var epoch in result.Epochs)
        {
            var points = progress.Losses.Where(p => p.Epoch == epoch.Epoch).ToList();
            Assert.Equal(3, points.Sum(p => p.Steps));
            Assert.Equal(epoch.TrainLoss, points.Sum(p => p.Loss * p.Steps) / 3, 12);
        }
        Assert.True(File.Exists(Path.Combine(runDir, "loss_accuracy.svg")));
        Assert.True(File.Exists(Path.Combine(runDir, "confusion.svg")));
    }

    [Fact]
    public void Cancelled_TheRunIsInterrupted_AndItsResumeGoesOnInTheSameRow()
    {
        var whole = RunLifecycle.Train(_store, RunStart.Fresh(_config), _data, _dir.File("whole"), NullObserver.Instance, _options);

        string runDir = _dir.File("parts");
        using (var cancel = new CancellationTokenSource())
            Assert.ThrowsAny<OperationCanceledException>(() =>
                RunLifecycle.Train(_store, RunStart.Fresh(_config), _data, runDir, new CancelAfter(2, cancel), _options, cancel.Token));
        var stopped = _store.FindRun(Path.GetFullPath(runDir))!;
        Assert.Equal(RunStatus.Interrupted, stopped.Status);
        Assert.Equal($"interrupted; continue with: fcnlab train --resume {runDir}", stopped.Error);
        Assert.Equal(2, _store.GetEpochs(stopped.RunId).Count);
        var stoppedAt = _store.GetProgress(stopped.RunId)!.Position;
        Assert.Equal((2, 3), (stoppedAt.Epoch, stoppedAt.Step));

        var resumed = RunLifecycle.Train(_store, RunStart.From(Checkpoint.Load(runDir)), _data, runDir, NullObserver.Instance, _options);
        Assert.Equal(WithoutTimes(whole.Summary), WithoutTimes(resumed.Summary));
        var run = _store.GetTrial(stopped.RunId)!;
        Assert.Equal((RunStatus.Completed, 2, null), (run.Status, run.Attempts, run.Error));
        Assert.Equal(2, _store.ListTrials().Count);
        Assert.Equal(whole.Epochs.Select(e => e with { Seconds = 0 }), _store.GetEpochs(run.RunId).Select(e => e with { Seconds = 0 }));
        Assert.Equal(WithoutTimes(whole.Summary), WithoutTimes(_store.GetOutcome(run.RunId)!.Summary));
    }

    [Fact]
    public void AResumeRefusedAsBadInput_LeavesTheRunsRowAsItWas()
    {
        string runDir = _dir.File("run");
        RunLifecycle.Train(_store, RunStart.Fresh(_config), _data, runDir, NullObserver.Instance, _options);
        var before = _store.ListTrials().Single();

        var e = Assert.Throws<FcnLabException>(() => RunLifecycle.Train(_store, RunStart.From(Checkpoint.Load(runDir)), _data, runDir, NullObserver.Instance, _options));
        Assert.Contains("already complete with 4 epochs", e.Message);
        Assert.Equal(WithoutPoint(before), WithoutPoint(_store.ListTrials().Single()));

        // Further epochs: the same row goes on to 6.
        RunLifecycle.Train(_store, RunStart.From(Checkpoint.Load(runDir), epochs: 6), _data, runDir, NullObserver.Instance, _options);
        var after = _store.ListTrials().Single();
        Assert.Equal((before.RunId, RunStatus.Completed, 6), (after.RunId, after.Status, after.Summary!.EpochsRun));
        Assert.Equal(TrialIdentity.Of(_config with { Epochs = 6 }), after.TrialId);
        Assert.Equal(6, _store.GetEpochs(after.RunId).Count);
    }

    [Fact]
    public void AResumeOfARunALiveProcessTrains_IsRefused()
    {
        string runDir = _dir.File("run");
        using (var cancel = new CancellationTokenSource())
            Assert.ThrowsAny<OperationCanceledException>(() =>
                RunLifecycle.Train(_store, RunStart.Fresh(_config), _data, runDir, new CancelAfter(1, cancel), _options, cancel.Token));
        // Another machine took it up a moment ago and beats.
        long id = _store.FindRun(Path.GetFullPath(runDir))!.RunId;
        Assert.True(_store.Reopen(id, RunLifecycle.Definition(_config, runDir), "other-host:7", TimeSpan.FromMinutes(1)));

        var e = Assert.Throws<FcnLabException>(() => RunLifecycle.Train(_store, RunStart.From(Checkpoint.Load(runDir)), _data, runDir, NullObserver.Instance, _options));
        Assert.Contains("being trained by another process (other-host:7", e.Message);
        Assert.Equal((RunStatus.Running, "other-host:7"), (_store.GetTrial(id)!.Status, _store.GetTrial(id)!.Owner));
        Assert.Single(_store.ListTrials());
    }

    [Fact]
    public void ATrialThatFails_IsRecordedFailed_AndNotThrown()
    {
        _store.AddTrials([new TrialDefinition { TrialId = "aaa", Sweep = "s", ConfigJson = "{}", RunDir = _dir.File("aaa") }]);
        var trial = _store.ClaimNext("s", Owner.Current)!;
        bool recorded = RunLifecycle.RunTrial(_store, trial, RunStart.Fresh(_config), _dir.File("aaa"),
            () => throw new FcnLabException("no data set 'tiny' in /nowhere"), NullObserver.Instance, _options);
        Assert.True(recorded);
        var failed = _store.GetTrial(trial.RunId)!;
        Assert.Equal((RunStatus.Failed, "no data set 'tiny' in /nowhere"), (failed.Status, failed.Error));
    }

    [Fact]
    public void ATrialCancelled_IsRecordedInterrupted_AndItsSweepTakesItBack()
    {
        _store.AddTrials([new TrialDefinition { TrialId = "aaa", Sweep = "s", ConfigJson = "{}", RunDir = _dir.File("aaa") }]);
        var trial = _store.ClaimNext("s", Owner.Current)!;
        using var cancel = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => RunLifecycle.RunTrial(_store, trial, RunStart.Fresh(_config), _dir.File("aaa"),
            () => _data, new CancelAfter(1, cancel), _options, cancel.Token));
        Assert.Equal(RunStatus.Interrupted, _store.GetTrial(trial.RunId)!.Status);
        Assert.Equal(trial.RunId, Assert.Single(_store.ReclaimAbandoned("s", TimeSpan.FromHours(1))).RunId);

        var again = _store.ClaimNext("s", Owner.Current)!;
        var start = RunStart.ForTrial(_dir.File("aaa"), _config, threads: null);
        Assert.True(start.Resumes);
        Assert.True(RunLifecycle.RunTrial(_store, again, start, _dir.File("aaa"), () => _data, NullObserver.Instance, _options));
        Assert.Equal((RunStatus.Completed, 2), (_store.GetTrial(trial.RunId)!.Status, _store.GetTrial(trial.RunId)!.Attempts));
    }

    [Fact]
    public void DefaultRunDir_NamesTheRecipe()
    {
        string dir = RunLifecycle.DefaultRunDir(_config);
        Assert.StartsWith("runs" + Path.DirectorySeparatorChar, dir);
        Assert.EndsWith("-sgd-lr0.1-12", dir);
        Assert.EndsWith("-lenet5", RunLifecycle.DefaultRunDir(_config with { Arch = "LeNet5 " }));
        Assert.EndsWith("-adam-lr0.001-softmax-bn", RunLifecycle.DefaultRunDir(_config with { Hidden = [], BatchNorm = true, Optimizer = _config.Optimizer with { Kind = OptimizerKind.Adam, Lr = 0.001 } }));
    }
}
