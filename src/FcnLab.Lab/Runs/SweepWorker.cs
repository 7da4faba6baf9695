using FcnLab.Engine;
using FcnLab.Engine.Training;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;

namespace FcnLab.Lab.Runs;

/// <summary>
/// A worker: claims one pending trial at a time from the store (of one sweep, or of any), trains it with a
/// heartbeat and per-epoch metrics, completes it, and takes the next. Before each claim it takes back the
/// trials of holders that stopped beating (resumed from their checkpoint when the artifact directory is
/// shared). A trial's settings come from its sweep's stored spec, expanded here, and its run directory is
/// &lt;artifacts&gt;/&lt;sweep&gt;/&lt;trial id&gt; on this machine. Many workers on many machines may serve one
/// store: the store's atomic claim hands each trial to one of them, and only its holder can complete it. A search's
/// trials are made as workers ask: the next suggestion from the store's history, inside the claim's transaction.
/// </summary>
public sealed class SweepWorker(IRunStore store, string runsRoot, IWorkerObserver observer, WorkerOptions options)
{
    /// <summary>
    /// A sweep's trials as its stored spec expands here; <see cref="Filter"/>: the ids a claim must keep to, null when the
    /// store holds no other trials of the sweep. A search has no index: its trials come from <see cref="Search"/>.
    /// </summary>
    private sealed record Grid(string SpecText, Dictionary<string, (TrainConfig Config, TrialDefinition Trial)> Index, IReadOnlyCollection<string>? Filter, SearchTrials? Search = null);

    private readonly Dictionary<string, Grid> _grids = [];
    private readonly DatasetCache _data = new(options.Run.LoadData);
    private readonly HashSet<string> _unreadable = [];

    public WorkerTally Run(CancellationToken cancel = default)
    {
        var ran = new List<(TrialRecord Trial, bool TakenOver)>();
        bool waiting = false;
        // Once, at the start: a trial that fails again stays failed until the next worker started with --retry-failed.
        if (options.RetryFailed)
            foreach (var sweep in Sweeps())
            {
                int retried = store.RetryFailed(sweep.Name).Count;
                if (retried > 0) observer.Note($"--retry-failed: {retried} failed trial{(retried == 1 ? "" : "s")} of sweep {sweep.Name} set to run again");
            }
        while (options.Run.MaxTrials is not { } max || ran.Count < max)
        {
            cancel.ThrowIfCancellationRequested();
            var sweeps = Sweeps();
            var claimed = Claim(sweeps);
            if (claimed is { } c)
            {
                waiting = false;
                ran.Add(Train(c.Trial, c.Sweep, cancel));
                continue;
            }
            if (options.ExitWhenIdle && sweeps.All(AllFinal)) break;
            if (!waiting) observer.Note(options.ExitWhenIdle ? "nothing to claim; waiting for the running trials to end (one may come back)" : "nothing to claim; waiting for work");
            waiting = true;
            if (cancel.WaitHandle.WaitOne(options.PollEvery)) cancel.ThrowIfCancellationRequested();
        }
        int Count(RunStatus status) => ran.Count(r => !r.TakenOver && r.Trial.Status == status);
        return new WorkerTally(ran.Count, Count(RunStatus.Completed), Count(RunStatus.EarlyStopped), Count(RunStatus.Diverged), Count(RunStatus.Failed),
            ran.Count(r => r.TakenOver), Count(RunStatus.Pruned));
    }

    /// <summary>The sweeps to serve. Serving every sweep, one whose stored spec this build cannot read is passed over (said once), not fatal.</summary>
    private List<SweepRecord> Sweeps()
    {
        if (options.Sweep is not { } name) return store.ListSweeps().Where(Readable).ToList();
        var sweep = store.GetSweep(name)
            ?? throw new FcnLabException($"No sweep '{name}' in {store.Location}. Record it first with `fcnlab sweep SPEC --store ... --submit-only`; sweeps there: {string.Join(", ", store.ListSweeps().Select(s => s.Name).DefaultIfEmpty("none"))}.");
        return [sweep];
    }

    /// <summary>Takes back abandoned trials of each sweep in turn and claims the first pending trial of its current spec.</summary>
    private (TrialRecord Trial, SweepRecord Sweep)? Claim(IReadOnlyList<SweepRecord> sweeps)
    {
        foreach (var sweep in sweeps)
        {
            var grid = GridOf(sweep);
            foreach (var t in store.ReclaimAbandoned(sweep.Name, options.Run.Grace, options.Run.MaxAttempts))
                observer.Note(t.Status == RunStatus.Failed
                    ? $"trial {t.TrialId} of sweep {sweep.Name} failed: {t.Error}"
                    : $"took back trial {t.TrialId} of sweep {sweep.Name}: it was interrupted, or its holder stopped beating ({t.Attempts} of {options.Run.MaxAttempts?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unlimited"} attempts used)");
            if (store.ClaimNext(sweep.Name, options.Run.Owner, grid.Filter) is { } trial) return (trial, sweep);
            // A search: the next suggestion, from the trials every worker recorded so far (the running ones through the
            // constant liar), made and recorded in one transaction so no other worker gets the same trial number.
            if (grid.Search is { } search && store.ClaimNew(sweep.Name, options.Run.Owner, search.Next) is { } suggested) return (suggested, sweep);
        }
        return null;
    }

    /// <summary>Trains a claimed trial; TakenOver when another process took it over, so this one recorded nothing.</summary>
    private (TrialRecord Trial, bool TakenOver) Train(TrialRecord trial, SweepRecord sweep, CancellationToken cancel)
    {
        if (GridOf(sweep).Search is { } search) return TrainSearchTrial(trial, search, cancel);
        if (!GridOf(sweep).Index.TryGetValue(trial.TrialId, out var entry))
        {
            // The spec changed between reading it and claiming (a trial of the new one): read it again.
            _grids.Remove(sweep.Name);
            if (!GridOf(store.GetSweep(sweep.Name) ?? sweep).Index.TryGetValue(trial.TrialId, out entry))
            {
                store.Fail(trial.RunId, options.Run.Owner, $"trial {trial.TrialId} is not in the current spec of sweep {sweep.Name}; submit the spec that has it again");
                var failed = store.GetTrial(trial.RunId) ?? trial;
                observer.TrialFinished(failed, takenOver: false);
                return (failed, false);
            }
        }
        var (config, definition) = entry;
        var start = RunStart.ForTrial(definition.RunDir, config, options.Run.Threads);
        var progress = observer.TrialStarted(trial, start.Resumes);
        bool recorded = RunLifecycle.RunTrial(store, trial, start, definition.RunDir, () => _data.Load(config.DataOptions), progress, options.Run.Run, cancel);
        var after = store.GetTrial(trial.RunId) ?? trial;
        observer.TrialFinished(after, takenOver: !recorded);
        return (after, !recorded);
    }

    /// <summary>A search's trial: its settings read back from its stored point; the pruner asked at each epoch's end, on the store's history then.</summary>
    private (TrialRecord Trial, bool TakenOver) TrainSearchTrial(TrialRecord trial, SearchTrials search, CancellationToken cancel)
    {
        TrainConfig config;
        TrialDefinition definition;
        try
        {
            (config, definition) = search.ConfigOf(trial);
        }
        catch (FcnLabException e)
        {
            store.Fail(trial.RunId, options.Run.Owner, e.Message);
            var failed = store.GetTrial(trial.RunId) ?? trial;
            observer.TrialFinished(failed, takenOver: false);
            return (failed, false);
        }
        var start = RunStart.ForTrial(definition.RunDir, config, options.Run.Threads);
        var progress = observer.TrialStarted(trial, start.Resumes);
        bool recorded = RunLifecycle.RunTrial(store, trial, start, definition.RunDir, () => _data.Load(config.DataOptions), progress, options.Run.Run, cancel,
            metrics => search.Prune(store, trial.RunId, metrics));
        var after = store.GetTrial(trial.RunId) ?? trial;
        observer.TrialFinished(after, takenOver: !recorded);
        return (after, !recorded);
    }

    private bool Readable(SweepRecord sweep)
    {
        if (_unreadable.Contains(sweep.SpecText)) return false;
        try
        {
            GridOf(sweep);
            return true;
        }
        catch (FcnLabException e)
        {
            _unreadable.Add(sweep.SpecText);
            observer.Note($"passing over sweep {sweep.Name}: {e.Message}");
            return false;
        }
    }

    private bool AllFinal(SweepRecord sweep) => GridOf(sweep).Search is { } search
        ? store.ListTrials(sweep.Name) is var trials && trials.Count >= search.Total && trials.All(t => t.Status.IsFinal())
        : store.CurrentTrials(sweep.Name, GridOf(sweep).Index).All(t => t.Status.IsFinal());

    /// <summary>The sweep's trials as its stored spec expands here (cached until the spec text changes).</summary>
    private Grid GridOf(SweepRecord sweep)
    {
        if (_grids.TryGetValue(sweep.Name, out var cached) && cached.SpecText == sweep.SpecText) return cached;
        var spec = SweepSpecParser.Parse(sweep.SpecText, $"the stored spec of sweep '{sweep.Name}'");
        if (spec.Search != null)
        {
            var search = new Grid(sweep.SpecText, [], null, new SearchTrials(spec, runsRoot));
            _grids[sweep.Name] = search;
            return search;
        }
        var index = SweepGrid.Index(spec, runsRoot);
        // A changed spec leaves the old spec's trials in the store: only then must a claim name the current ones
        // (sending every id with every claim would cost a large sweep dearly).
        bool others = store.ListTrials(sweep.Name).Any(t => !index.ContainsKey(t.TrialId));
        var grid = new Grid(sweep.SpecText, index, others ? index.Keys : null);
        _grids[sweep.Name] = grid;
        return grid;
    }
}
