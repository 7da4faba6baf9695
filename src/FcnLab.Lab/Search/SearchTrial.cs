namespace FcnLab.Lab.Search;

/// <summary>
/// One trial of a search as the samplers and pruners read it from the run store: its number (the order
/// trials were suggested in), state, point, final objective value, and the objective after each epoch.
/// The samplers use completed trials' <see cref="Value"/>, pruned trials' last epoch value, and (constant
/// liar) running trials' points; the pruners use <see cref="EpochValues"/>. Nothing else is needed: the
/// sampler and pruners keep no state, so a search resumes from its stored trials alone.
/// </summary>
public sealed record SearchTrial
{
    /// <summary>0, 1, 2, ... in the order the trials were suggested; unique within a search.</summary>
    public required int Number { get; init; }

    public required SearchTrialState State { get; init; }

    /// <summary>The trial's parameters (required by the samplers; the pruners do not look at them).</summary>
    public SearchPoint? Point { get; init; }

    /// <summary>The objective value of a completed trial (a NaN or missing value makes the samplers skip it, as Optuna fails such a trial).</summary>
    public double? Value { get; init; }

    /// <summary>The objective after each epoch so far: [0] is epoch 1. Empty when none has finished.</summary>
    public IReadOnlyList<double> EpochValues { get; init; } = [];
}
