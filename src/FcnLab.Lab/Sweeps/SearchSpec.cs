using FcnLab.Lab.Search;

namespace FcnLab.Lab.Sweeps;

/// <summary>
/// What makes a sweep spec a search: its <c>space:</c> (each searched setting with a distribution),
/// <c>method:</c> (random or tpe), <c>trials:</c> (the search's total over every invocation and worker),
/// <c>objective:</c> (a validation metric; the test set never chooses) and <c>pruner:</c>.
/// </summary>
public sealed record SearchSpec
{
    public required SearchSpace Space { get; init; }
    public SearchMethod Method { get; init; } = SearchMethod.Tpe;
    public required int Trials { get; init; }
    public SearchObjective Objective { get; init; } = SearchObjective.ValAccuracy;
    public PrunerSpec Pruner { get; init; } = PrunerSpec.None;

    /// <summary>The training settings the search chooses (hidden.layers and hidden.width are the setting hidden).</summary>
    public IReadOnlyList<string> SearchedSettings =>
        [.. Space.Parameters.Select(p => p.Name is SearchSpace.HiddenLayers or SearchSpace.HiddenWidth ? "hidden" : p.Name).Distinct()];

    /// <summary>
    /// The sampler. TPE runs with the constant liar: running trials count as the worst, so workers that ask while
    /// others train are sent elsewhere; a sequential search has nothing running when it asks, so the liar changes
    /// nothing there (docs/search.md).
    /// </summary>
    public ISampler Sampler() =>
        Method == SearchMethod.Random ? new RandomSampler() : new TpeSampler(new TpeOptions { ConstantLiar = true });
}
