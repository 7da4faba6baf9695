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
        trials.Count(t => t.Status == TrialStatus.Completed),
        trials.Count(t => t.Status == TrialStatus.EarlyStopped),
        trials.Count(t => t.Status == TrialStatus.Diverged),
        trials.Count(t => t.Status == TrialStatus.Failed),
        trials.Count(t => t.Status == TrialStatus.Pending),
        trials.Count(t => t.Status == TrialStatus.Running));
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
        var trials = SweepGrid.Expand(spec, runsRoot);
        var configs = trials.ToDictionary(t => t.Trial.TrialId, t => t.Config);
        if (configs.Count != trials.Count)
            throw new FcnLabException($"Sweep '{spec.Name}' has grid points that resolve to the same training (same settings and seed); remove the duplicate axis values.");
        var ids = configs.Keys.ToList();

        store.SaveSweep(spec.Name, spec.SourceText);
        int added = store.AddTrials(trials.Select(t => t.Trial));
        var reclaimed = store.ReclaimAbandoned(spec.Name, options.Grace);
        var current = Current(store, spec.Name, configs);
        observer.SweepStarted(spec, current.Count, current.Count(t => TrialStatus.IsFinal(t.Status)), added, reclaimed.Count);

        var data = new Dictionary<string, ImageDataset>();
        int ran = 0;
        while (options.MaxTrials is not { } max || ran < max)
        {
            cancel.ThrowIfCancellationRequested();
            var trial = store.ClaimNext(spec.Name, options.Owner, ids);
            if (trial == null) break;
            ran++;
            var config = configs[trial.TrialId];
            if (options.Threads is { } threads) config = config with { Threads = threads };
            int finishedBefore = Current(store, spec.Name, configs).Count(t => TrialStatus.IsFinal(t.Status));
            RunTrial(trial, config, store, observer, options, data, finishedBefore + 1, ids.Count, cancel);
            var after = store.GetTrial(trial.RunId) ?? trial;
            observer.TrialFinished(after, Current(store, spec.Name, configs).Count(t => TrialStatus.IsFinal(t.Status)), ids.Count);
        }
        return SweepTally.Of(Current(store, spec.Name, configs));
    }

    /// <summary>The stored trials that belong to the current spec (a changed spec's old trials stay in the store but not in the tally).</summary>
    private static List<TrialRecord> Current(IRunStore store, string sweep, IReadOnlyDictionary<string, TrainConfig> configs) =>
        store.ListTrials(sweep).Where(t => configs.ContainsKey(t.TrialId)).ToList();

    private static void RunTrial(TrialRecord trial, TrainConfig config, IRunStore store, ISweepObserver observer, SweepRunOptions options,
        Dictionary<string, ImageDataset> data, int number, int total, CancellationToken cancel)
    {
        string runDir = trial.Definition.RunDir;
        var checkpoint = ResumableCheckpoint(runDir);
        var progress = observer.TrialStarted(trial, number, total, checkpoint != null);
        var recorder = new TrialRecorder(store, trial.RunId, options.Owner, progress);
        try
        {
            var dataset = LoadData(config, options, data);
            var result = checkpoint != null
                ? Trainer.Resume(checkpoint, runDir, dataset, recorder, epochs: null, threads: options.Threads, cancel)
                : Trainer.Run(config, dataset, runDir, recorder, cancel);
            if (store.Complete(trial.RunId, options.Owner, TrialRecorder.Outcome(result)))
                RunPlots.Write(runDir, result, new ReportImages(dataset.Test, dataset.ImageShape, dataset.ClassNames));
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
        }
        catch (FcnLabException e)
        {
            store.Fail(trial.RunId, options.Owner, e.Message);
        }
        catch (Exception e)
        {
            // Any other failure is a bug or the machine (disk full, out of memory): record it with its
            // type so it can be reported, and go on with the next trial.
            store.Fail(trial.RunId, options.Owner, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private static ImageDataset LoadData(TrainConfig config, SweepRunOptions options, Dictionary<string, ImageDataset> cache)
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
