using FcnLab.Engine;
using FcnLab.Engine.Data;
using FcnLab.Engine.Training;
using FcnLab.Lab.Store;

namespace FcnLab.Lab.Sweeps;

/// <summary>How a worker runs; with <see cref="SweepRunOptions"/> for each trial.</summary>
public sealed record WorkerOptions
{
    /// <summary>Serve this sweep only (null: any sweep in the store, in name order).</summary>
    public string? Sweep { get; init; }
    /// <summary>Exit once every trial of the served sweeps is final, instead of waiting for new work.</summary>
    public bool ExitWhenIdle { get; init; }
    /// <summary>How long to wait between looks at the store when there is nothing to claim (null: see <see cref="PollEvery"/>).</summary>
    public TimeSpan? Poll { get; init; }
    public SweepRunOptions Run { get; init; } = new();

    /// <summary>
    /// A quarter of the grace, at most 0.25 s while waiting for the last trials to end (the worker exits soon
    /// after the sweep does: a wall-clock sweep ends when its last worker does, and a look costs the store a
    /// read of well under a millisecond), at most 5 s while waiting for new work (an idle fleet costs the server little).
    /// </summary>
    public TimeSpan PollEvery => Poll ?? (ExitWhenIdle
        ? TimeSpan.FromTicks(Math.Min(TrialRecorder.HeartbeatFor(Run.Grace).Ticks, TimeSpan.TicksPerSecond / 4))
        : TrialRecorder.HeartbeatFor(Run.Grace));
}

/// <summary>What a worker tells as it goes; the CLI prints it. Called on the worker's thread.</summary>
public interface IWorkerObserver
{
    void Note(string message) { }
    /// <summary>Receives the trial's training progress.</summary>
    ITrainingObserver TrialStarted(TrialRecord trial, bool resuming) => NullObserver.Instance;
    /// <summary>The trial as stored after this worker's attempt; <paramref name="takenOver"/> when another worker took it over meanwhile.</summary>
    void TrialFinished(TrialRecord trial, bool takenOver) { }
}

/// <summary>What one worker did: the trials it trained, by how each ended.</summary>
public sealed record WorkerTally(int Ran, int Completed, int EarlyStopped, int Diverged, int Failed, int TakenOver);

/// <summary>
/// A worker: claims one pending trial at a time from the store (of one sweep, or of any), trains it with a
/// heartbeat and per-epoch metrics, completes it, and takes the next. Before each claim it takes back the
/// trials of holders that stopped beating (resumed from their checkpoint when the artifact directory is
/// shared). A trial's settings come from its sweep's stored spec, expanded here, and its run directory is
/// &lt;artifacts&gt;/&lt;sweep&gt;/&lt;trial id&gt; on this machine. Many workers on many machines may serve one
/// store: the store's atomic claim hands each trial to one of them, and only its holder can complete it.
/// </summary>
public sealed class SweepWorker(IRunStore store, string runsRoot, IWorkerObserver observer, WorkerOptions options)
{
    /// <summary>A sweep's trials as its stored spec expands here; <see cref="Filter"/>: the ids a claim must keep to, null when the store holds no other trials of the sweep.</summary>
    private sealed record Grid(string SpecText, Dictionary<string, (TrainConfig Config, TrialDefinition Trial)> Index, IReadOnlyCollection<string>? Filter);

    private readonly Dictionary<string, Grid> _grids = [];
    private readonly Dictionary<string, ImageDataset> _data = [];
    private readonly HashSet<string> _unreadable = [];

    public WorkerTally Run(CancellationToken cancel = default)
    {
        var ran = new List<(TrialRecord Trial, bool TakenOver)>();
        bool waiting = false;
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
            ran.Count(r => r.TakenOver));
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
                    : $"took back trial {t.TrialId} of sweep {sweep.Name}: its holder stopped beating ({t.Attempts} of {options.Run.MaxAttempts?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unlimited"} attempts used)");
            if (store.ClaimNext(sweep.Name, options.Run.Owner, grid.Filter) is { } trial) return (trial, sweep);
        }
        return null;
    }

    /// <summary>Trains a claimed trial; TakenOver when another process took it over, so this one recorded nothing.</summary>
    private (TrialRecord Trial, bool TakenOver) Train(TrialRecord trial, SweepRecord sweep, CancellationToken cancel)
    {
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
        bool recorded = SweepRunner.RunTrial(trial, config, definition.RunDir, store, resuming => observer.TrialStarted(trial, resuming), options.Run, _data, cancel);
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

    private bool AllFinal(SweepRecord sweep) =>
        SweepRunner.Current(store, sweep.Name, GridOf(sweep).Index).All(t => t.Status.IsFinal());

    /// <summary>The sweep's trials as its stored spec expands here (cached until the spec text changes).</summary>
    private Grid GridOf(SweepRecord sweep)
    {
        if (_grids.TryGetValue(sweep.Name, out var cached) && cached.SpecText == sweep.SpecText) return cached;
        var spec = SweepSpecParser.Parse(sweep.SpecText, $"the stored spec of sweep '{sweep.Name}'");
        var index = SweepRunner.Index(spec, runsRoot);
        // A changed spec leaves the old spec's trials in the store: only then must a claim name the current ones
        // (sending every id with every claim would cost a large sweep dearly).
        bool others = store.ListTrials(sweep.Name).Any(t => !index.ContainsKey(t.TrialId));
        var grid = new Grid(sweep.SpecText, index, others ? index.Keys : null);
        _grids[sweep.Name] = grid;
        return grid;
    }
}
