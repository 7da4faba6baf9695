using System.Runtime.ExceptionServices;
using FcnLab.Engine;
using FcnLab.Engine.Training;

namespace FcnLab.Lab.Store;

/// <summary>
/// Passes training progress on to another observer and records it in the store as it happens: every
/// epoch's metrics, and a heartbeat on a timer so other processes can tell a live holder from a dead one.
/// The timer beats through data loading, validation and testing too, where no training step reports.
/// Dispose it when the trial ends.
/// </summary>
public sealed class TrialRecorder : ITrainingObserver, IDisposable
{
    /// <summary>The heartbeat interval when none is given (with the default 60 s grace).</summary>
    public static readonly TimeSpan DefaultHeartbeatEvery = TimeSpan.FromSeconds(5);

    private readonly IRunStore _store;
    private readonly long _runId;
    private readonly string _owner;
    private readonly ITrainingObserver _inner;
    private readonly Timer _timer;
    private int _beating;
    private volatile bool _lost;
    private volatile Exception? _failure;

    public TrialRecorder(IRunStore store, long runId, string owner, ITrainingObserver inner, TimeSpan? heartbeatEvery = null)
    {
        _store = store;
        _runId = runId;
        _owner = owner;
        _inner = inner;
        var every = heartbeatEvery ?? DefaultHeartbeatEvery;
        _timer = new Timer(_ => Beat(), null, every, every);
    }

    /// <summary>
    /// A heartbeat interval for a grace period: a quarter of it (at most <see cref="DefaultHeartbeatEvery"/>),
    /// so a live holder beats several times within any grace, even when a beat is late on a busy machine.
    /// </summary>
    public static TimeSpan HeartbeatFor(TimeSpan grace) =>
        TimeSpan.FromTicks(Math.Clamp(grace.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks, DefaultHeartbeatEvery.Ticks));

    public void RunStarted(RunInfo info) => _inner.RunStarted(info);
    public void EpochStarted(int epoch, int epochs, int steps) => _inner.EpochStarted(epoch, epochs, steps);
    public void Note(string message) => _inner.Note(message);

    public void StepCompleted(int epoch, int step, int steps, double runningLoss)
    {
        ThrowIfStopped();
        _inner.StepCompleted(epoch, step, steps, runningLoss);
    }

    public void EpochCompleted(EpochMetrics metrics, int epochs)
    {
        ThrowIfStopped();
        if (!_store.RecordEpoch(_runId, _owner, metrics)) throw LostHold();
        _inner.EpochCompleted(metrics, epochs);
    }

    /// <summary>What a finished training leaves in the store.</summary>
    public static TrialOutcome Outcome(TrainResult result) =>
        new(result.Summary, result.Test?.Confusion, result.ClassNames, result.Misclassified);

    /// <summary>Stops the heartbeat and waits for a beat in flight, so none reaches the store after this returns.</summary>
    public void Dispose()
    {
        using var done = new ManualResetEvent(false);
        if (_timer.Dispose(done)) done.WaitOne();
    }

    private void Beat()
    {
        // A slow store must not pile up beats on the thread pool.
        if (Interlocked.Exchange(ref _beating, 1) == 1) return;
        try
        {
            if (_lost || _failure != null) return;
            if (!_store.Heartbeat(_runId, _owner)) _lost = true;
        }
        catch (Exception e)
        {
            // The training thread reports it at its next step; a timer thread has no one to throw to.
            _failure = e;
        }
        finally
        {
            Volatile.Write(ref _beating, 0);
        }
    }

    private void ThrowIfStopped()
    {
        if (_failure is { } e)
        {
            if (e is FcnLabException) ExceptionDispatchInfo.Throw(e);
            throw new FcnLabException($"The heartbeat of run {_runId} in {_store.Location} failed: {e.Message}", e);
        }
        if (_lost) throw LostHold();
    }

    private TrialTakenOverException LostHold() =>
        new($"Run {_runId} in {_store.Location} is no longer held by this process ({_owner}): another process took it over after a missed heartbeat. This process stops working on it.");
}

/// <summary>The store says another process now holds the trial this one was training.</summary>
public sealed class TrialTakenOverException(string message) : FcnLabException(message);
