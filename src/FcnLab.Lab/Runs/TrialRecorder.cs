using System.Diagnostics;
using System.Runtime.ExceptionServices;
using FcnLab.Engine;
using FcnLab.Engine.Training;
using FcnLab.Lab.Store;

namespace FcnLab.Lab.Runs;

/// <summary>
/// Passes training progress on to another observer and records it in the store as it happens: every epoch's
/// metrics; the run's position and recent loss (<see cref="IRunStore.PublishProgress"/>) at most every
/// <see cref="RunOptions.ProgressEvery"/> and at each epoch's end (with its metrics, one transaction); and a heartbeat, so other processes can tell a
/// live holder from a dead one. A timer thread publishes and beats (through data loading, validation and testing
/// too, where no step reports); the training thread only notes each step in memory (<see cref="ProgressTracker"/>)
/// and writes to the store itself at epoch ends. Dispose it (or <see cref="Stop"/>) when the run ends.
/// </summary>
public sealed class TrialRecorder : ITrainingObserver, IDisposable
{
    /// <summary>The heartbeat interval when none is given (with the default 60 s grace).</summary>
    public static readonly TimeSpan DefaultHeartbeatEvery = TimeSpan.FromSeconds(5);

    private readonly IRunStore _store;
    private readonly string _owner;
    private readonly ITrainingObserver _inner;
    private readonly Func<long>? _take;
    private readonly Func<EpochMetrics, string?>? _prune;
    private readonly ProgressTracker _progress = new();
    // One publish at a time and in order: the timer's and the training thread's at an epoch's end.
    private readonly object _publishing = new();
    private readonly TimeSpan _tick;
    private readonly int _ticksPerPublish, _ticksPerBeat;
    private long _runId;
    private int _epochs;
    private Timer? _timer;
    private int _ticking, _ticksSincePublish, _ticksSinceWrite;
    private volatile bool _lost;
    private volatile Exception? _failure;

    /// <summary>
    /// Records run <paramref name="runId"/>, which this process holds already (a claimed trial): the heartbeat starts now.
    /// <paramref name="prune"/>, for a search's trial, is asked at each epoch's end once the epoch is recorded (see
    /// <see cref="ITrainingObserver.PruneAfter"/>).
    /// </summary>
    public TrialRecorder(IRunStore store, long runId, ITrainingObserver inner, RunOptions options, Func<EpochMetrics, string?>? prune = null) : this(store, runId, null, inner, options)
    {
        _prune = prune;
        Start();
    }

    /// <summary>
    /// Records a run whose row <paramref name="take"/> records or takes up, called once when training starts (the
    /// trainer has accepted the settings, data and checkpoint), so a run refused as bad input leaves the store as it was.
    /// </summary>
    public TrialRecorder(IRunStore store, Func<long> take, ITrainingObserver inner, RunOptions options) : this(store, -1, take, inner, options)
    {
    }

    private TrialRecorder(IRunStore store, long runId, Func<long>? take, ITrainingObserver inner, RunOptions options)
    {
        _store = store;
        _runId = runId;
        _take = take;
        _inner = inner;
        _owner = options.Owner;
        // One timer: it ticks at the shorter interval and counts ticks for the longer one (counting, unlike comparing
        // clocks, never skips a beat for a tick that came a little early).
        var progress = options.ProgressEvery;
        _tick = progress > TimeSpan.Zero && progress < options.HeartbeatEvery ? progress : options.HeartbeatEvery;
        _ticksPerPublish = progress > TimeSpan.Zero ? Math.Max(1, (int)Math.Round(progress / _tick)) : int.MaxValue;
        _ticksPerBeat = Math.Max(1, (int)Math.Round(options.HeartbeatEvery / _tick));
    }

    /// <summary>
    /// A heartbeat interval for a grace period: a quarter of it (at most <see cref="DefaultHeartbeatEvery"/>),
    /// so a live holder beats several times within any grace, even when a beat is late on a busy machine.
    /// </summary>
    public static TimeSpan HeartbeatFor(TimeSpan grace) =>
        TimeSpan.FromTicks(Math.Clamp(grace.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks, DefaultHeartbeatEvery.Ticks));

    /// <summary>The run's id in the store; null until it is taken (see the constructor that takes a function).</summary>
    public long? RunId => _runId >= 0 ? _runId : null;

    public void RunStarted(RunInfo info)
    {
        if (_take != null && _runId < 0)
        {
            _runId = _take();
            Start();
        }
        _inner.RunStarted(info);
    }

    public void EpochStarted(int epoch, int epochs, int steps)
    {
        _epochs = epochs;
        _inner.EpochStarted(epoch, epochs, steps);
    }

    public void Note(string message) => _inner.Note(message);

    public void StepCompleted(int epoch, int step, int steps, double runningLoss)
    {
        ThrowIfStopped();
        _progress.Step(epoch, _epochs, step, steps, runningLoss, Stopwatch.GetTimestamp());
        _inner.StepCompleted(epoch, step, steps, runningLoss);
    }

    public void EpochCompleted(EpochMetrics metrics, int epochs)
    {
        ThrowIfStopped();
        lock (_publishing)
        {
            // The epoch's last steps and its metrics in one transaction (one per epoch, as without progress).
            bool held = _progress.TryTake(out var position, out var window, out bool first)
                ? _store.PublishProgress(_runId, _owner, position, window, first, metrics)
                : _store.RecordEpoch(_runId, _owner, metrics);
            if (!held) throw LostHold();
            _ticksSinceWrite = 0;
        }
        _inner.EpochCompleted(metrics, epochs);
    }

    public string? PruneAfter(EpochMetrics metrics) => _prune != null ? _prune(metrics) : _inner.PruneAfter(metrics);

    /// <summary>Stops the timer and waits for a publish or beat in flight, so none reaches the store after this returns.</summary>
    public void Stop()
    {
        if (_timer is not { } timer) return;
        using var done = new ManualResetEvent(false);
        if (timer.Dispose(done)) done.WaitOne();
        _timer = null;
    }

    public void Dispose() => Stop();

    private void Start() => _timer = new Timer(_ => Tick(), null, _tick, _tick);

    private void Tick()
    {
        // A slow store must not pile up ticks on the thread pool.
        if (Interlocked.Exchange(ref _ticking, 1) == 1) return;
        try
        {
            if (_lost || _failure != null) return;
            lock (_publishing)
            {
                bool wrote = false;
                if (++_ticksSincePublish >= _ticksPerPublish)
                {
                    _ticksSincePublish = 0;
                    if (!Publish(out wrote)) _lost = true;
                }
                if (!wrote && !_lost && ++_ticksSinceWrite >= _ticksPerBeat)
                {
                    _ticksSinceWrite = 0;
                    if (!_store.Heartbeat(_runId, _owner)) _lost = true;
                }
            }
        }
        catch (Exception e)
        {
            // The training thread reports it at its next step; a timer thread has no one to throw to.
            _failure = e;
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }

    /// <summary>
    /// Publishes the position and loss window when a step is new since the last publish (<paramref name="wrote"/>; a
    /// publish is also a heartbeat); false when another process holds the run. Called under <see cref="_publishing"/>.
    /// </summary>
    private bool Publish(out bool wrote)
    {
        wrote = _progress.TryTake(out var position, out var window, out bool first);
        if (!wrote) return true;
        _ticksSinceWrite = 0;
        return _store.PublishProgress(_runId, _owner, position, window, first);
    }

    private void ThrowIfStopped()
    {
        if (_failure is { } e)
        {
            if (e is FcnLabException) ExceptionDispatchInfo.Throw(e);
            throw new FcnLabException($"Recording run {_runId} in {_store.Location} failed: {e.Message}", e);
        }
        if (_lost) throw LostHold();
    }

    private TrialTakenOverException LostHold() =>
        new($"Run {_runId} in {_store.Location} is no longer held by this process ({_owner}): another process took it over after a missed heartbeat. This process stops working on it.");
}
