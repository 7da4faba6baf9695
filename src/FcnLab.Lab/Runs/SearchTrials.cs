using FcnLab.Engine;
using FcnLab.Engine.Training;
using FcnLab.Lab.Search;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;

namespace FcnLab.Lab.Runs;

/// <summary>
/// The trials of a search (a sweep spec with a space), as pure functions of what the store holds: the next trial
/// from the sampler over the sweep's stored trials (<see cref="Next"/>, called inside <see cref="IRunStore.ClaimNew"/>),
/// a stored trial's training config read back from its stored point and seed (<see cref="ConfigOf"/>), and the pruner's
/// decision at an epoch's end (<see cref="Prune"/>). Trial k (0, 1, ...) trains with seed base seed + k; its point is
/// stored in the trial's point column and its number in the repeat column (ARCHITECTURE.md, "A search in the store").
/// </summary>
public sealed class SearchTrials
{
    private readonly SweepSpec _spec;
    private readonly SearchSpec _search;
    private readonly string _runsRoot;
    private readonly ISampler _sampler;
    private readonly IPruner? _pruner;

    public SearchTrials(SweepSpec spec, string runsRoot)
    {
        _spec = spec;
        _search = spec.Search ?? throw new ArgumentException($"Sweep '{spec.Name}' is a grid, not a search.", nameof(spec));
        _runsRoot = runsRoot;
        _sampler = _search.Sampler();
        _pruner = _search.Pruner.Create();
    }

    /// <summary>The search's total number of trials (the spec's trials:).</summary>
    public int Total => _search.Trials;

    /// <summary>
    /// Trial number <c>history.Count</c>: the sampler's point over the stored trials (final ones with their objective,
    /// running ones for the constant liar), or null when the search has all its trials. The same history gives the
    /// same trial, so a search stopped and started again suggests what it would have suggested.
    /// </summary>
    public TrialDefinition? Next(IReadOnlyList<TrialHistory> history)
    {
        if (history.Count >= _search.Trials) return null;
        int number = history.Count;
        var point = _sampler.Suggest(_search.Space, [.. history.Select(ToSearchTrial)], _search.Objective.Direction, _spec.BaseSeed, number);
        long seed = _spec.BaseSeed + number;
        var config = SweepGrid.Resolve(_spec, point.ToSettings(), seed);
        string json = Sweeps.TrialIdentity.CanonicalJson(config);
        string id = Sweeps.TrialIdentity.Hash(json);
        return new TrialDefinition
        {
            TrialId = id,
            Sweep = _spec.Name,
            Point = point.ToParameters(),
            Repeat = number,
            Seed = seed,
            ConfigJson = json,
            RunDir = Path.Combine(_runsRoot, _spec.Name, id),
        };
    }

    /// <summary>A stored trial's config (its point and seed over the spec's base) and its definition with this machine's run directory.</summary>
    /// <exception cref="FcnLabException">The stored point does not belong to this spec's space, or makes another training (the spec changed).</exception>
    public (TrainConfig Config, TrialDefinition Definition) ConfigOf(TrialRecord trial)
    {
        var point = PointOf(trial);
        var config = SweepGrid.Resolve(_spec, point.ToSettings(), trial.Definition.Seed);
        if (Sweeps.TrialIdentity.Of(config) != trial.TrialId)
            throw new FcnLabException($"Trial {trial.TrialId} of search '{_spec.Name}' ({point}) makes another training under the current spec: its base settings changed since the trial was suggested. Give the changed search a new name.");
        return (config, trial.Definition with { RunDir = Path.Combine(_runsRoot, _spec.Name, trial.TrialId) });
    }

    /// <summary>
    /// The pruner's verdict on trial <paramref name="runId"/> after <paramref name="ended"/> (already stored): the reason
    /// when it stops, else null. Reads the sweep's trials and epochs from the store as they are now.
    /// </summary>
    public string? Prune(IRunStore store, long runId, EpochMetrics ended)
    {
        if (_pruner == null) return null;
        var history = store.GetHistory(_spec.Name).Select(h => (h.Trial.RunId, Trial: ToSearchTrial(h))).ToList();
        var self = history.Single(h => h.RunId == runId).Trial;
        // An earlier attempt may have stored the next epoch already (killed before its checkpoint): decide at this one.
        self = self with { State = SearchTrialState.Running, EpochValues = [.. self.EpochValues.Take(ended.Epoch)] };
        var decision = _pruner.Decide(self, [.. history.Select(h => h.Trial)], _search.Objective);
        return decision.Prune ? decision.Reason : null;
    }

    /// <summary>A stored trial as the sampler and pruner see it (<see cref="TrialHistory.ToSearchTrial"/>).</summary>
    private SearchTrial ToSearchTrial(TrialHistory h) => h.ToSearchTrial(_search.Objective, PointOf(h.Trial));

    private SearchPoint PointOf(TrialRecord trial)
    {
        try
        {
            return _search.Space.ParsePoint(trial.Definition.Point);
        }
        catch (FcnLabException e)
        {
            throw new FcnLabException($"Trial {trial.TrialId} of search '{_spec.Name}' was suggested in another space than the spec's now: {e.Message} Give the changed search a new name.", e);
        }
    }
}
