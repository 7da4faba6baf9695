namespace FcnLab.Lab.Sweeps;

/// <summary>Which pruner stops a search's hopeless trials at epoch ends: the spec's <c>pruner:</c>.</summary>
public enum PrunerKind
{
    /// <summary>Every trial trains all its epochs.</summary>
    None,
    /// <summary><see cref="Search.MedianPruner"/>: worse than the completed trials' median at the same epoch.</summary>
    Median,
    /// <summary><see cref="Search.AshaPruner"/>: outside the top 1/reduction_factor at a rung.</summary>
    Asha,
}
