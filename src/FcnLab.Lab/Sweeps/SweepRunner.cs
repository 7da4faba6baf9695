using FcnLab.Engine;
using FcnLab.Engine.Data;
using FcnLab.Engine.Training;
using FcnLab.Lab.Reports;
using FcnLab.Lab.Store;

namespace FcnLab.Lab.Sweeps;

/// <summary>How a sweep runs on this machine; none of it changes a trial's identity or its numbers.</summary>
public sealed record SweepRunOptions
{
    /// <summary>Worker threads per training; null: each trial's own setting (default all cores).</summary>
    public int? Threads { get; init; }
    /// <summary>A running trial whose heartbeat is older than this is taken back (its holder is presumed dead).</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>A trial taken back after this many claims is failed instead (null: taken back every time).</summary>
    public int? MaxAttempts { get; init; }
    /// <summary>How often a running trial's holder beats: well within <see cref="Grace"/>.</summary>
    public TimeSpan HeartbeatEvery => TrialRecorder.HeartbeatFor(Grace);
    /// <summary>Stop after this many trials (null: until none is pending).</summary>
    public int? MaxTrials { get; init; }
    /// <summary>Who holds the trials this process claims.</summary>
    public string Owner { get; init; } = Store.Owner.Current;
    /// <summary>Loads a data set (tests pass their own environment).</summary>
    public Func<DataOptions, ImageDataset> LoadData { get; init; } = DatasetCatalog.Load;
}

/// <summary>What the sweep's trials of the current spec look like at the end of a run.</summary>
public sealed record SweepTally(int Total, int Completed, int EarlyStopped, int Diverged, int Failed, int Pending, int Running)
{
    public bool AllFinal => Pending == 0 && Running == 0;

    public static SweepTally Of(IReadOnlyList<TrialRecord> trials) => new(
        trials.Count,
        trials.Count(t => t.Status == RunStatus.Completed),
        trials.Count(t => t.Status == RunStatus.EarlyStopped),
        trials.Count(t => t.Status == RunStatus.Diverged),
        trials.Count(t => t.Status == RunStatus.Failed),
        trials.Count(t => t.Status == RunStatus.Pending),
        trials.Count(t => t.Status == RunStatus.Running));
}

/// <summary>Progress of a sweep; the CLI renders it. Called on the sweep's thread.</summary>
public interface ISweepObserver
{
    void SweepStarted(SweepSpec spec, int total, int alreadyFinal, int added, int reclaimed) { }
    /// <summary>Receives the trial's training progress.</summary>
    ITrainingObserver TrialStarted(TrialRecord trial, int number, int total, bool resuming) => NullObserver.Instance;
    void TrialFinished(TrialRecord trial, int finished, int total) { }
}

/// <summary>
/// Runs a sweep: records the spec and its trials, takes back trials whose holder died, then claims and
/// trains pending trials one at a time until none is left. A trial that fails or diverges is recorded as
/// such and the sweep goes on. Stopped at any moment and started again, it redoes no finished trial
/// (identity = hash of the resolved settings) and resumes an interrupted one from its checkpoint.
/// </summary>
public static class SweepRunner
{
    public static SweepTally Run(SweepSpec spec, IRunStore store, string runsRoot, ISweepObserver observer, SweepRunOptions options, CancellationToken cancel = default)
    {
        var configs = Index(spec, runsRoot);
        var ids = configs.Keys.ToList();
        int added = Record(spec, configs, store);
        var reclaimed = store.ReclaimAbandoned(spec.Name, options.Grace, options.MaxAttempts);
        var current = Current(store, spec.Name, configs);
        observer.SweepStarted(spec, current.Count, current.Count(t => t.Status.IsFinal()), added, reclaimed.Count);

        var data = new Dictionary<string, ImageDataset>();
        int ran = 0;
        while (options.MaxTrials is not { } max || ran < max)
        {
            cancel.ThrowIfCancellationRequested();
            var trial = store.ClaimNext(spec.Name, options.Owner, ids);
            if (trial == null) break;
            ran++;
            var (config, definition) = configs[trial.TrialId];
            int finishedBefore = Current(store, spec.Name, configs).Count(t => t.Status.IsFinal());
            RunTrial(trial, config, definition.RunDir, store, resuming => observer.TrialStarted(trial, finishedBefore + 1, ids.Count, resuming), options, data, cancel);
            var after = store.GetTrial(trial.RunId) ?? trial;
            observer.TrialFinished(after, Current(store, spec.Name, configs).Count(t => t.Status.IsFinal()), ids.Count);
        }
        return SweepTally.Of(Current(store, spec.Name, configs));
    }

    /// <summary>
    /// Records the spec and its trials (those not yet recorded, as pending) and returns without training:
    /// workers (`fcnlab worker`) take them from there. Returns how many trials were new, and the tally of the spec's trials.
    /// </summary>
    public static (int Added, SweepTally Tally) Submit(SweepSpec spec, IRunStore store, string runsRoot)
    {
        var index = Index(spec, runsRoot);
        int added = Record(spec, index, store);
        return (added, SweepTally.Of(Current(store, spec.Name, index)));
    }

    /// <summary>The spec's trials by trial id, each with its training config; refuses two grid points that make the same training.</summary>
    public static Dictionary<string, (TrainConfig Config, TrialDefinition Trial)> Index(SweepSpec spec, string runsRoot)
    {
        var trials = SweepGrid.Expand(spec, runsRoot);
        var index = new Dictionary<string, (TrainConfig, TrialDefinition)>();
        foreach (var (trial, config) in trials)
        {
            if (!index.TryAdd(trial.TrialId, (config, trial)))
                throw new FcnLabException($"Sweep '{spec.Name}' has grid points that resolve to the same training (same settings and seed); remove the duplicate axis values.");
        }
        return index;
    }

    private static int Record(SweepSpec spec, Dictionary<string, (TrainConfig Config, TrialDefinition Trial)> index, IRunStore store)
    {
        store.SaveSweep(spec.Name, spec.SourceText);
        return store.AddTrials(index.Values.Select(t => t.Trial));
    }

    /// <summary>The stored trials that belong to the current spec (a changed spec's old trials stay in the store but not in the tally).</summary>
    public static List<TrialRecord> Current<T>(IRunStore store, string sweep, IReadOnlyDictionary<string, T> index) =>
        store.ListTrials(sweep).Where(t => index.ContainsKey(t.TrialId)).ToList();

    /// <summary>
    /// Trains one claimed trial in <paramref name="runDir"/> (from its checkpoint when an earlier attempt left
    /// one there) and records the outcome: completed, diverged or failed. <paramref name="started"/> is told
    /// whether it resumes and returns the observer of its training. False when another process took the
    /// trial over, so this one recorded nothing.
    /// </summary>
    internal static bool RunTrial(TrialRecord trial, TrainConfig config, string runDir, IRunStore store, Func<bool, ITrainingObserver> started,
        SweepRunOptions options, Dictionary<string, ImageDataset> data, CancellationToken cancel)
    {
        if (options.Threads is { } threads) config = config with { Threads = threads };
        var checkpoint = ResumableCheckpoint(runDir);
        using var recorder = new TrialRecorder(store, trial.RunId, options.Owner, started(checkpoint != null), options.HeartbeatEvery);
        try
        {
            var dataset = LoadData(config, options, data);
            var result = checkpoint != null
                ? Trainer.Resume(checkpoint, runDir, dataset, recorder, epochs: null, threads: options.Threads, cancel)
                : Trainer.Run(config, dataset, runDir, recorder, cancel);
            if (!store.Complete(trial.RunId, options.Owner, TrialRecorder.Outcome(result))) return false;
            RunPlots.Write(runDir, result, new ReportImages(dataset.Test, dataset.ImageShape, dataset.ClassNames));
            return true;
        }
        catch (OperationCanceledException)
        {
            // Interrupted: the trial stays running under this (about to exit) process; the next start
            // sees its holder is gone, takes it back and resumes it from its checkpoint.
            throw;
        }
        catch (TrialTakenOverException)
        {
            // Another process holds it now; nothing of ours to record.
            return false;
        }
        catch (RunStoreException)
        {
            // The store itself failed: nothing can be recorded, and it is not the trial's fault.
            throw;
        }
        catch (FcnLabException e)
        {
            return store.Fail(trial.RunId, options.Owner, e.Message);
        }
        catch (Exception e)
        {
            // Any other failure is a bug or the machine (disk full, out of memory): record it with its
            // type so it can be reported, and go on with the next trial.
            return store.Fail(trial.RunId, options.Owner, $"{e.GetType().Name}: {e.Message}");
        }
    }

    internal static ImageDataset LoadData(TrainConfig config, SweepRunOptions options, Dictionary<string, ImageDataset> cache)
    {
        var o = config.DataOptions;
        string key = $"{o.Dataset}|{o.DataDir}|{(o.ImageShape == null ? "" : string.Join("x", o.ImageShape))}|{o.Classes}";
        if (!cache.TryGetValue(key, out var dataset))
        {
            dataset = options.LoadData(o);
            cache[key] = dataset;
        }
        return dataset;
    }

    /// <summary>
    /// The checkpoint an interrupted attempt left in the trial's directory, if it can be continued. A
    /// finished one (the process died between writing the outputs and recording them) or an unreadable
    /// one means the trial trains again from the start, which gives the same numbers.
    /// </summary>
    private static Checkpoint? ResumableCheckpoint(string runDir)
    {
        if (!Checkpoint.Exists(runDir)) return null;
        try
        {
            var checkpoint = Checkpoint.Load(runDir);
            return checkpoint.IsFinished ? null : checkpoint;
        }
        catch (FcnLabException)
        {
            return null;
        }
    }
}
