using FcnLab.Engine.Training;
using FcnLab.Lab.Runs;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;
using FcnLab.Lab.Tests.Reports;

namespace FcnLab.Lab.Tests.Runs;

/// <summary>The recorder on a real SQLite store, driven as the trainer drives an observer.</summary>
public sealed class TrialRecorderTests : IDisposable
{
    private const string Owner = "host:1";
    private readonly TempDir _dir = new();
    private readonly SqliteRunStore _store;
    private readonly long _runId;

    public TrialRecorderTests()
    {
        _store = SqliteRunStore.Open(_dir.File("fcnlab.db"));
        _store.AddTrials([new TrialDefinition { TrialId = "aaa", Sweep = "s", ConfigJson = "{}", RunDir = _dir.File("aaa") }]);
        _runId = _store.ClaimNext("s", Owner)!.RunId;
    }

    public void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
    }

    private TrialRecorder Recorder(TimeSpan progressEvery) =>
        new(_store, _runId, NullObserver.Instance, new RunOptions { Owner = Owner, ProgressEvery = progressEvery, HeartbeatEvery = TimeSpan.FromSeconds(5) });

    /// <summary>Step k of an epoch of <paramref name="steps"/> has loss 1/k (the running mean goes to the observer).</summary>
    private static double RunningLoss(int k) => Enumerable.Range(1, k).Average(i => 1.0 / i);

    private static void Steps(TrialRecorder recorder, int epoch, int from, int to, int steps)
    {
        for (int k = from; k <= to; k++) recorder.StepCompleted(epoch, k, steps, RunningLoss(k));
    }

    private RunProgress WaitForStep(int epoch, int step)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_store.GetProgress(_runId) is { } p && (p.Position.Epoch, p.Position.Step) == (epoch, step)) return p;
            Thread.Sleep(10);
        }
        throw new TimeoutException($"no progress at epoch {epoch}, step {step}: {_store.GetProgress(_runId)?.Position}");
    }

    [Fact]
    public void WhileAnEpochTrains_TheTimerPublishesThePositionAndTheLossCurve()
    {
        using var recorder = Recorder(TimeSpan.FromMilliseconds(20));
        recorder.RunStarted(new RunInfo("m", 1, 1, 0, 1, 100, "d", 1));
        recorder.EpochStarted(1, 2, 100);
        Steps(recorder, 1, 1, 40, 100);
        var midway = WaitForStep(1, 40);
        Assert.Equal(new ProgressPosition(1, 2, 40, 100, RunningLoss(40), midway.Position.StepsPerSecond), midway.Position);
        Steps(recorder, 1, 41, 100, 100);
        recorder.EpochCompleted(new EpochMetrics(1, RunningLoss(100), 0.5, null, null, 0.1, 1), 2);

        // The epoch's end is published with its metrics: the curve covers every step once, and its points average to the epoch's loss.
        var end = _store.GetProgress(_runId)!;
        Assert.Equal((1, 100), (end.Position.Epoch, end.Position.Step));
        Assert.Equal(100, end.Losses.Sum(p => p.Steps));
        Assert.Equal(Enumerable.Range(1, end.Losses.Count).Select(i => end.Losses.Take(i).Sum(p => p.Steps)), end.Losses.Select(p => p.Step));
        Assert.Equal(RunningLoss(100), end.Losses.Sum(p => p.Loss * p.Steps) / 100, 12);
        Assert.Single(_store.GetEpochs(_runId));
    }

    [Fact]
    public void WithProgressEveryZero_OnlyEpochEndsArePublished()
    {
        using var recorder = Recorder(TimeSpan.Zero);
        recorder.RunStarted(new RunInfo("m", 1, 1, 0, 1, 10, "d", 1));
        recorder.EpochStarted(1, 1, 10);
        Steps(recorder, 1, 1, 10, 10);
        Thread.Sleep(200);
        Assert.Null(_store.GetProgress(_runId));
        recorder.EpochCompleted(new EpochMetrics(1, RunningLoss(10), 0.5, null, null, 0.1, 1), 1);
        var point = Assert.Single(_store.GetProgress(_runId)!.Losses);
        Assert.Equal((1, 10, 10), (point.Epoch, point.Step, point.Steps));
        Assert.Equal(RunningLoss(10), point.Loss, 12);
    }

    [Fact]
    public void AStep_AllocatesNothingOnTheTrainingThread()
    {
        using var recorder = Recorder(TimeSpan.FromMilliseconds(1));
        recorder.RunStarted(new RunInfo("m", 1, 1, 0, 1, 100_000, "d", 1));
        recorder.EpochStarted(1, 1, 100_000);
        recorder.StepCompleted(1, 1, 100_000, 1.0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 2; k <= 20_000; k++) recorder.StepCompleted(1, k, 100_000, 1.0 / k);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // Meanwhile the timer thread published (and allocated) on its own.
        Assert.Equal(0, allocated);
        Assert.NotNull(WaitForStep(1, 20_000));
    }

    [Fact]
    public void ARunAnotherProcessTookOver_StopsAtTheNextStep()
    {
        using var recorder = Recorder(TimeSpan.FromMilliseconds(10));
        recorder.RunStarted(new RunInfo("m", 1, 1, 0, 1, 100, "d", 1));
        recorder.EpochStarted(1, 1, 100);
        recorder.StepCompleted(1, 1, 100, 1.0);
        Assert.True(_store.Fail(_runId, Owner, "taken back by someone"));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        int step = 2;
        Assert.Throws<TrialTakenOverException>(() =>
        {
            while (DateTime.UtcNow < deadline)
            {
                recorder.StepCompleted(1, step++, 100_000, 1.0);
                Thread.Sleep(5);
            }
        });
    }

    [Fact]
    public void ARecorderThatTakesItsRowAtTheStart_WritesNothingBeforeIt()
    {
        long? taken = null;
        using var recorder = new TrialRecorder(_store, () => (taken = _store.StartRun(new TrialDefinition { TrialId = "bbb", ConfigJson = "{}", RunDir = _dir.File("bbb") }, Owner)).Value,
            NullObserver.Instance, new RunOptions { Owner = Owner, ProgressEvery = TimeSpan.FromMilliseconds(5), HeartbeatEvery = TimeSpan.FromMilliseconds(5) });
        Thread.Sleep(50);
        Assert.Null(recorder.RunId);
        Assert.Single(_store.ListTrials());
        recorder.RunStarted(new RunInfo("m", 1, 1, 0, 1, 100, "d", 1));
        Assert.Equal(taken, recorder.RunId);
        Assert.Equal(2, _store.ListTrials().Count);
    }
}
