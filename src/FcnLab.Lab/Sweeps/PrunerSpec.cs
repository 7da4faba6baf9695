using FcnLab.Lab.Search;

namespace FcnLab.Lab.Sweeps;

/// <summary>
/// A search's pruner as its spec says: <c>pruner: none | median | asha</c>, or with options
/// <c>pruner: {kind: asha, min_epochs: 1, reduction_factor: 4}</c> /
/// <c>pruner: {kind: median, startup_trials: 5, warmup_epochs: 0}</c>. The defaults are Optuna's.
/// </summary>
public sealed record PrunerSpec
{
    public static PrunerSpec None { get; } = new() { Kind = PrunerKind.None };

    public required PrunerKind Kind { get; init; }
    /// <summary>ASHA: the first rung's epoch (Optuna's min_resource).</summary>
    public int MinEpochs { get; init; } = 1;
    /// <summary>ASHA: the top 1/reduction_factor of a rung go on.</summary>
    public int ReductionFactor { get; init; } = 4;
    /// <summary>Median: nothing is pruned until this many trials have completed.</summary>
    public int StartupTrials { get; init; } = 5;
    /// <summary>Median: nothing is pruned in a trial's first this-many epochs.</summary>
    public int WarmupEpochs { get; init; }

    /// <summary>The pruner, or null for none.</summary>
    public IPruner? Create() => Kind switch
    {
        PrunerKind.Asha => new AshaPruner(MinEpochs, ReductionFactor),
        PrunerKind.Median => new MedianPruner(StartupTrials, WarmupEpochs),
        _ => null,
    };
}
