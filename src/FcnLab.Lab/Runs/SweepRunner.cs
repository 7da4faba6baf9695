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
    /// Records the spec and its trials (those not yet recorded, as pending) and returns without training:
    /// workers (`fcnlab worker`) take them from there. Returns how many trials were new, and the tally of the spec's trials.
    /// </summary>
    public static (int Added, SweepTally Tally) Submit(SweepSpec spec, IRunStore store, string runsRoot)
    {
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
