using System.Diagnostics;
using FcnLab.Engine;
using FcnLab.Engine.Training;

namespace FcnLab.Lab.Store;

/// <summary>
/// Passes training progress on to another observer and records it in the store as it happens: every
/// epoch's metrics, and a heartbeat every few seconds so other processes can tell a live holder from a dead one.
/// </summary>
public sealed class TrialRecorder(IRunStore store, long runId, string owner, ITrainingObserver inner) : ITrainingObserver
{
    private static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(5);
    private readonly Stopwatch sinceHeartbeat = Stopwatch.StartNew();

    public void RunStarted(RunInfo info) => inner.RunStarted(info);
    public void EpochStarted(int epoch, int epochs, int steps) => inner.EpochStarted(epoch, epochs, steps);
    public void Note(string message) => inner.Note(message);

    public void StepCompleted(int epoch, int step, int steps, double runningLoss)
    {
        if (sinceHeartbeat.Elapsed >= HeartbeatEvery)
        {
            if (!store.Heartbeat(runId, owner)) throw LostHold();
            sinceHeartbeat.Restart();
        }
        inner.StepCompleted(epoch, step, steps, runningLoss);
    }

    public void EpochCompleted(EpochMetrics metrics, int epochs)
    {
        if (!store.RecordEpoch(runId, owner, metrics)) throw LostHold();
        sinceHeartbeat.Restart();
        inner.EpochCompleted(metrics, epochs);
    }

    /// <summary>What a finished training leaves in the store.</summary>
    public static TrialOutcome Outcome(TrainResult result) =>
        new(result.Summary, result.Test?.Confusion, result.ClassNames, result.Misclassified);

    private TrialTakenOverException LostHold() =>
        new($"Run {runId} in {store.Location} is no longer held by this process ({owner}): another process took it over after a missed heartbeat. This process stops working on it.");
}

/// <summary>The store says another process now holds the trial this one was training.</summary>
public sealed class TrialTakenOverException(string message) : FcnLabException(message);
