using System.Data.Common;
using System.Globalization;
using System.Runtime.ExceptionServices;
using FcnLab.Engine;
using FcnLab.Engine.Data;
using FcnLab.Engine.IO;
using FcnLab.Engine.Models;
using FcnLab.Engine.Optim;
using FcnLab.Engine.Training;
using FcnLab.Lab.Reports;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;

namespace FcnLab.Lab.Runs;

/// <summary>
/// One run from start to end, the same for `fcnlab train`, a sweep and a worker: the run is recorded in the store
/// (a new run; the run's own row on `train --resume`; a trial the caller claimed), a <see cref="TrialRecorder"/>
/// records its epochs and publishes its progress and heartbeat while it trains (from the start, or on from the
/// checkpoint in its directory), its end is recorded (completed, early-stopped or diverged with the results; failed
/// with the message; interrupted, its checkpoint saved, when <c>cancel</c> fires), and its plots are written into the
/// run directory. The caller renders progress and results; Ctrl-C and signals only cancel the token.
/// </summary>
public static class RunLifecycle
{
    /// <summary>
    /// `fcnlab train` and `fcnlab train --resume`: trains <paramref name="start"/> in <paramref name="runDir"/> and returns
    /// the result. The run is recorded when training starts: a new run outside any sweep, or, for a resume of a run the
    /// store already holds (the latest run outside any sweep with this run directory), that run's own row, taken up again.
    /// </summary>
    /// <exception cref="FcnLabException">The run failed (recorded failed when it had started), or its row is held by a live process.</exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancel"/> fires: the run is recorded interrupted (failed when no checkpoint was saved yet).</exception>
    public static TrainResult Train(IRunStore store, RunStart start, ImageDataset data, string runDir, ITrainingObserver observer, RunOptions options, CancellationToken cancel = default)
    {
        var definition = Definition(start.Config, runDir);
        long Take()
        {
            if (!start.Resumes || store.FindRun(definition.RunDir) is not { } own) return store.StartRun(definition, options.Owner);
            if (!store.Reopen(own.RunId, definition, options.Owner, options.Grace))
                throw new FcnLabException($"Run {own.RunId.ToString(CultureInfo.InvariantCulture)} ({runDir}) is being trained by another process ({own.Owner}, last heartbeat {own.Heartbeat:u}) in {store.Location}; wait for it to end, or stop it first.");
            return own.RunId;
        }
        using var recorder = new TrialRecorder(store, Take, observer, options);
        // The checkpoint keeps the store, so `train --resume` records into it wherever it is run from.
        var end = Run(store, recorder, start with { RecordedIn = store.Location }, () => data, runDir, options, $"interrupted; continue with: fcnlab train --resume {runDir}", trial: false, cancel);
        if (end.Failure is { } failure) ExceptionDispatchInfo.Throw(failure);
        return end.Result ?? throw new FcnLabException($"Run {recorder.RunId} in {store.Location} was taken over by another process; its results were not recorded here.");
    }

    /// <summary>
    /// A sweep trial that <paramref name="trial"/>'s claim gave this process (`fcnlab sweep`, `fcnlab worker`): trains
    /// <paramref name="start"/> (<see cref="RunStart.ForTrial"/>) in <paramref name="runDir"/> with the data
    /// <paramref name="data"/> loads (a data set that cannot be loaded is the trial's failure) and records its end.
    /// A failure is recorded and not thrown: the caller goes on with the next trial. False when another process took
    /// the trial over, so this one recorded nothing. <paramref name="prune"/>, for a search's trial, is its pruner
    /// (<see cref="SearchTrials.Prune"/>): a pruned trial is recorded pruned with the reason.
    /// </summary>
    /// <exception cref="OperationCanceledException">When <paramref name="cancel"/> fires: the trial is recorded interrupted; the next sweep or worker takes it up again.</exception>
    /// <exception cref="RunStoreException">The store itself failed: nothing could be recorded, and it is not the trial's fault.</exception>
    public static bool RunTrial(IRunStore store, TrialRecord trial, RunStart start, string runDir, Func<ImageDataset> data, ITrainingObserver observer, RunOptions options,
        CancellationToken cancel = default, Func<EpochMetrics, string?>? prune = null)
    {
        using var recorder = new TrialRecorder(store, trial.RunId, observer, options, prune);
        var end = Run(store, recorder, start, data, runDir, options, "interrupted; the same `fcnlab sweep` command, or a worker, takes it up again from its checkpoint", trial: true, cancel);
        return end.Recorded;
    }

    /// <summary>
    /// The run directory `fcnlab train` uses without --out: runs/&lt;local time&gt;-&lt;preset or optimizer&gt;-lr&lt;lr&gt;-&lt;architecture&gt;[-bn],
    /// with -2, -3, ... when that directory exists.
    /// </summary>
    public static string DefaultRunDir(TrainConfig c)
    {
        string name = string.Create(CultureInfo.InvariantCulture,
            $"{DateTime.Now:yyyyMMdd-HHmmss}-{c.Preset ?? Optimizer.ToFlag(c.Optimizer.Kind)}-lr{c.Optimizer.Lr:G4}-{c.ToArchSpec().RunName}");
        string dir = Path.Combine("runs", name);
        for (int i = 2; Directory.Exists(dir); i++) dir = Path.Combine("runs", $"{name}-{i}");
        return dir;
    }

    /// <summary>How a run outside any sweep is recorded: its identity (as a sweep trial of the same settings would have), settings and full run directory.</summary>
    public static TrialDefinition Definition(TrainConfig config, string runDir)
    {
        string canonical = TrialIdentity.CanonicalJson(config);
        return new TrialDefinition { TrialId = TrialIdentity.Hash(canonical), ConfigJson = canonical, Seed = config.Seed, RunDir = Path.GetFullPath(runDir) };
    }

    /// <summary>How the run ended for this process: its result, or the failure (already recorded), and whether this process recorded the end.</summary>
    private readonly record struct Ended(TrainResult? Result, Exception? Failure, bool Recorded);

    private static Ended Run(IRunStore store, TrialRecorder recorder, RunStart start, Func<ImageDataset> loadData, string runDir, RunOptions options,
        string interruptedNote, bool trial, CancellationToken cancel)
    {
        ImageDataset data;
        TrainResult result;
        try
        {
            data = loadData();
            result = start.Train(data, runDir, recorder, cancel);
            recorder.Stop();
        }
        catch (OperationCanceledException)
        {
            recorder.Stop();
            RecordInterrupted(store, recorder, runDir, options.Owner, interruptedNote, trial);
            throw;
        }
        catch (TrialTakenOverException)
        {
            // Another process holds it now; nothing of ours to record.
            return new Ended(null, null, Recorded: false);
        }
        catch (RunStoreException)
        {
            throw;
        }
        catch (Exception e)
        {
            recorder.Stop();
            // Any failure but the library's own is a bug or the machine (disk full, out of memory): its type goes with it.
            string message = e is FcnLabException ? e.Message : FileFault.Is(e) ? FileFault.Unattributed(e) : $"{e.GetType().Name}: {e.Message}";
            bool recorded = recorder.RunId is { } id && store.Fail(id, options.Owner, message);
            return new Ended(null, e, recorded);
        }

        if (!store.Complete(recorder.RunId!.Value, options.Owner, TrialOutcome.Of(result))) return new Ended(null, null, Recorded: false);
        RunPlots.Write(runDir, result, new ReportImages(data.Test, data.ImageShape, data.ClassNames));
        return new Ended(result, null, Recorded: true);
    }

    /// <summary>
    /// Interrupted: the checkpoint is saved, so the run can go on. A run outside any sweep interrupted before its first
    /// checkpoint cannot be resumed (`train --resume` needs one): it is recorded failed. A trial always goes back to its
    /// sweep, which trains it again from the start when there is no checkpoint. When the store cannot be reached the run
    /// stays running, to be taken back after the grace period, and the cancellation goes on.
    /// </summary>
    private static void RecordInterrupted(IRunStore store, TrialRecorder recorder, string runDir, string owner, string note, bool trial)
    {
        if (recorder.RunId is not { } id) return;
        try
        {
            if (trial || Checkpoint.Exists(runDir)) store.Interrupt(id, owner, note);
            else store.Fail(id, owner, "interrupted before its first checkpoint was saved; nothing to resume: train it again");
        }
        catch (Exception e) when (e is FcnLabException or DbException)
        {
        }
    }
}
