using FcnLab.Engine.Training;
using FcnLab.Lab.Reports;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;

namespace FcnLab.Lab.Runs;

/// <summary>
/// Runs a sweep: records the spec and its trials, takes back trials no process works on (interrupted, or held by a
/// process that died), then claims and trains pending trials one at a time (<see cref="RunLifecycle.RunTrial"/>) until
/// none is left. A trial that fails or diverges is recorded as such and the sweep goes on. Stopped at any moment and
/// started again, it redoes no finished trial (identity = hash of the resolved settings) and resumes an interrupted one
/// from its checkpoint.
/// </summary>
public static class SweepRunner
{
    public static SweepTally Run(SweepSpec spec, IRunStore store, string runsRoot, ISweepObserver observer, SweepRunOptions options, CancellationToken cancel = default)
    {
        if (spec.Search != null) return RunSearch(spec, store, runsRoot, observer, options, cancel);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var configs = SweepGrid.Index(spec, runsRoot);
        SweepGrid.CheckData(spec, configs);
        var ids = configs.Keys.ToList();
        int added = Record(spec, configs, store);
        if (options.RetryFailed) observer.FailedRetried(store.RetryFailed(spec.Name).Count);
        var reclaimed = store.ReclaimAbandoned(spec.Name, options.Grace, options.MaxAttempts);
        var current = store.CurrentTrials(spec.Name, configs);
        observer.SweepStarted(spec, current.Count, current.Count(t => t.Status.IsFinal()), added, reclaimed.Count);

        var data = new DatasetCache(options.LoadData);
        int ran = 0;
        while (options.MaxTrials is not { } max || ran < max)
        {
            cancel.ThrowIfCancellationRequested();
            if (TimedOut(clock, options, observer)) break;
            var trial = store.ClaimNext(spec.Name, options.Owner, ids);
            if (trial == null) break;
            ran++;
            var (config, definition) = configs[trial.TrialId];
            int finishedBefore = store.CurrentTrials(spec.Name, configs).Count(t => t.Status.IsFinal());
            var start = RunStart.ForTrial(definition.RunDir, config, options.Threads);
            var progress = observer.TrialStarted(trial, finishedBefore + 1, ids.Count, start.Resumes);
            RunLifecycle.RunTrial(store, trial, start, definition.RunDir, () => data.Load(config.DataOptions), progress, options.Run, cancel);
            var after = store.GetTrial(trial.RunId) ?? trial;
            observer.TrialFinished(after, store.CurrentTrials(spec.Name, configs).Count(t => t.Status.IsFinal()), ids.Count);
        }
        return SweepTally.Of(store.CurrentTrials(spec.Name, configs));
    }

    /// <summary>
    /// A search (a spec with a space): trials are suggested one at a time from the store's history of this sweep
    /// (<see cref="SearchTrials.Next"/> inside <see cref="IRunStore.ClaimNew"/>), recorded running as they are suggested,
    /// trained with the pruner asked at each epoch's end, until the search has <c>trials:</c> final trials. An interrupted
    /// or abandoned trial is taken up again first, from its checkpoint, so a search stopped at any moment and started
    /// again suggests the same trials in the same order as one never stopped.
    /// </summary>
    private static SweepTally RunSearch(SweepSpec spec, IRunStore store, string runsRoot, ISweepObserver observer, SweepRunOptions options, CancellationToken cancel)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var search = new SearchTrials(spec, runsRoot);
        store.SaveSweep(spec.Name, spec.SourceText);
        if (options.RetryFailed) observer.FailedRetried(store.RetryFailed(spec.Name).Count);
        var reclaimed = store.ReclaimAbandoned(spec.Name, options.Grace, options.MaxAttempts);
        observer.SweepStarted(spec, search.Total, store.ListTrials(spec.Name).Count(t => t.Status.IsFinal()), 0, reclaimed.Count);

        var data = new DatasetCache(options.LoadData);
        int ran = 0;
        while (options.MaxTrials is not { } max || ran < max)
        {
            cancel.ThrowIfCancellationRequested();
            if (TimedOut(clock, options, observer)) break;
            var trial = store.ClaimNext(spec.Name, options.Owner) ?? store.ClaimNew(spec.Name, options.Owner, search.Next);
            if (trial == null) break;
            ran++;
            var (config, definition) = search.ConfigOf(trial);
            int finishedBefore = store.ListTrials(spec.Name).Count(t => t.Status.IsFinal());
            var start = RunStart.ForTrial(definition.RunDir, config, options.Threads);
            var progress = observer.TrialStarted(trial, finishedBefore + 1, search.Total, start.Resumes);
            RunLifecycle.RunTrial(store, trial, start, definition.RunDir, () => data.Load(config.DataOptions), progress, options.Run, cancel,
                metrics => search.Prune(store, trial.RunId, metrics));
            var after = store.GetTrial(trial.RunId) ?? trial;
            observer.TrialFinished(after, store.ListTrials(spec.Name).Count(t => t.Status.IsFinal()), search.Total);
        }
        return SweepTally.OfSearch(store.ListTrials(spec.Name), search.Total);
    }

    /// <summary>--timeout: no trial starts once this invocation has run that long (the one training finishes first).</summary>
    private static bool TimedOut(System.Diagnostics.Stopwatch clock, SweepRunOptions options, ISweepObserver observer)
    {
        if (options.Timeout is not { } limit || clock.Elapsed < limit) return false;
        observer.TimedOut(limit);
        return true;
    }

    /// <summary>
    /// Records the spec and its trials (those not yet recorded, as pending) and returns without training:
    /// workers (`fcnlab worker`) take them from there. Returns how many trials were new, and the tally of the spec's trials.
    /// </summary>
    public static (int Added, SweepTally Tally) Submit(SweepSpec spec, IRunStore store, string runsRoot)
    {
        if (spec.Search is { } search)
        {
            // A search's trials are suggested by the workers, one at a time, from what the others measured.
            store.SaveSweep(spec.Name, spec.SourceText);
            return (0, SweepTally.OfSearch(store.ListTrials(spec.Name), search.Trials));
        }
        var index = SweepGrid.Index(spec, runsRoot);
        SweepGrid.CheckData(spec, index);
        int added = Record(spec, index, store);
        return (added, SweepTally.Of(store.CurrentTrials(spec.Name, index)));
    }

    private static int Record(SweepSpec spec, Dictionary<string, (TrainConfig Config, TrialDefinition Trial)> index, IRunStore store)
    {
        store.SaveSweep(spec.Name, spec.SourceText);
        return store.AddTrials(index.Values.Select(t => t.Trial));
    }
}
