using FcnLab.Engine.Data;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Training;

/// <summary>
/// Trains one network as a <see cref="TrainConfig"/> says: split and normalize the data (statistics
/// from the training split only), build and initialize the model, run the epochs with validation after
/// each, stop early or on divergence, test once at the end, and write the run directory. The run
/// directory's checkpoint.fcnlab is rewritten after every epoch and on cancellation, and
/// <see cref="Resume(Checkpoint, string, ImageDataset, ITrainingObserver, int?, int?, CancellationToken)"/>
/// continues such a run to the same bits as an uninterrupted one.
/// </summary>
public static class Trainer
{
    /// <summary>A fresh run into <paramref name="runDir"/>.</summary>
    /// <exception cref="OperationCanceledException">When <paramref name="cancel"/> fires: after the step in progress, once the checkpoint is saved.</exception>
    /// <param name="recordedIn">Where the caller records the run (kept in the checkpoint, <see cref="TrainingState.RecordedIn"/>).</param>
    public static TrainResult Run(TrainConfig config, ImageDataset data, string runDir, ITrainingObserver observer, CancellationToken cancel = default, string? recordedIn = null)
    {
        config.Validate();
        using var pool = new WorkerPool(config.Threads);
        var session = new TrainingSession(config, data, runDir, observer, pool, from: null, recordedIn);
        return session.Train(cancel);
    }

    /// <summary>Continues the run in <paramref name="runDir"/> from its checkpoint (see the overload that takes one).</summary>
    public static TrainResult Resume(string runDir, ImageDataset data, ITrainingObserver observer, int? epochs = null, int? threads = null, CancellationToken cancel = default) =>
        Resume(Checkpoint.Load(runDir), runDir, data, observer, epochs, threads, cancel);

    /// <summary>
    /// Continues a run in place from its checkpoint until <paramref name="epochs"/> epochs in total
    /// (default: the run's own), on <paramref name="threads"/> threads (default: the run's own; the
    /// results do not depend on it). <paramref name="data"/> must be the run's data set
    /// (<c>checkpoint.Config.DataOptions</c>). Refuses a run that diverged or stopped early, and a
    /// completed run asked for no more epochs than it has.
    /// <para>
    /// The result equals the uninterrupted run's. When <paramref name="epochs"/> changes the total, a
    /// schedule that depends on it (cosine) follows the new total from the next epoch on: epochs already
    /// trained keep their rates, and an epoch in progress finishes at its own rate. Step and plateau
    /// schedules do not depend on the total, so a 2-epoch run resumed to 4 equals a 4-epoch run.
    /// </para>
    /// </summary>
    public static TrainResult Resume(Checkpoint checkpoint, string runDir, ImageDataset data, ITrainingObserver observer, int? epochs = null, int? threads = null, CancellationToken cancel = default, string? recordedIn = null)
    {
        var c = checkpoint.State;
        int target = epochs ?? checkpoint.Config.Epochs;
        switch (c.Status)
        {
            case RunStatus.Diverged:
                throw new FcnLabException($"The run in '{runDir}' diverged at epoch {c.DivergedEpoch}, step {c.DivergedStep}; resuming it would diverge again. Start a new run (a smaller --lr, --clip-grad-norm or --batch-norm).");
            case RunStatus.EarlyStopped:
                throw new FcnLabException($"The run in '{runDir}' is already complete: it stopped early after epoch {c.EpochsDone} (no validation-loss improvement in {checkpoint.Config.Patience} epochs). Start a new run to train longer.");
            case RunStatus.Completed when target <= c.EpochsDone:
                throw new FcnLabException($"The run in '{runDir}' is already complete with {c.EpochsDone} epochs. Give --epochs greater than {c.EpochsDone} to train it further.");
            case RunStatus.Completed or RunStatus.Running:
                break;
            default:
                throw new FcnLabException($"The checkpoint in '{runDir}' has the status '{c.Status.ToText()}', which cannot be resumed.");
        }
        // An epoch in progress has already changed the weights: it must be finished.
        int least = c.InEpoch ? c.EpochsDone + 1 : c.EpochsDone;
        if (target < least)
            throw new FcnLabException($"The run in '{runDir}' has already trained {(c.InEpoch ? $"into epoch {least}" : $"{least} epochs")}; --epochs must be at least {least} (got {target}).");

        // The run's settings with the new total; the threads are this process's, not a setting of the run
        // (config.json keeps the run's own, and each resume records the threads it ran on).
        var config = checkpoint.Config with { Epochs = target };
        try { config.Validate(); }
        catch (FcnLabException e) { throw new FcnLabException($"Cannot resume the run in '{runDir}': {e.Message}", e); }
        using var pool = new WorkerPool(threads ?? config.Threads);
        // The run takes the checkpoint's state over (and updates it as it trains).
        c.Resumes.Add(new ResumeRecord(c.EpochsDone + 1, c.InEpoch ? c.Step : 0, target, pool.Threads, RunDirectory.Timestamp()));
        var session = new TrainingSession(config, data, runDir, observer, pool, checkpoint, recordedIn);
        return session.Train(cancel);
    }

    /// <summary>The summary as DESIGN.md's "Time" contract defines seconds_per_epoch: median of epochs 2+, or epoch 1 alone.</summary>
    public static RunSummary Summarize(RunStatus status, IReadOnlyList<EpochMetrics> epochs, EvalResult? test, int? divergedEpoch, int? divergedStep, long parameters)
    {
        EpochMetrics? bestVal = null, lowestTrain = null;
        foreach (var e in epochs)
        {
            if (e.ValAccuracy is { } acc && (bestVal == null || acc > bestVal.ValAccuracy)) bestVal = e;
            if (lowestTrain == null || e.TrainLoss < lowestTrain.TrainLoss) lowestTrain = e;
        }
        var timed = epochs.Count > 1 ? epochs.Skip(1).Select(e => e.Seconds).ToList() : epochs.Select(e => e.Seconds).ToList();
        return new RunSummary
        {
            Status = status,
            TestAccuracy = test?.Accuracy,
            TestLoss = test?.Loss,
            StartValAccuracy = epochs.Count > 0 ? epochs[0].ValAccuracy : null,
            BestValAccuracy = bestVal?.ValAccuracy,
            BestValEpoch = bestVal?.Epoch,
            LowestTrainLoss = lowestTrain?.TrainLoss,
            LowestTrainLossEpoch = lowestTrain?.Epoch,
            EpochsRun = epochs.Count + (divergedEpoch.HasValue ? 1 : 0),
            DivergedEpoch = divergedEpoch,
            DivergedStep = divergedStep,
            TrainSeconds = epochs.Sum(e => e.Seconds),
            SecondsPerEpoch = Median(timed),
            Parameters = parameters,
        };
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0) return 0;
        values.Sort();
        int m = values.Count / 2;
        return values.Count % 2 == 1 ? values[m] : (values[m - 1] + values[m]) / 2;
    }
}
