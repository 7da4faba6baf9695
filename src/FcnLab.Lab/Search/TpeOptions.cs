using FcnLab.Engine;

namespace FcnLab.Lab.Search;

/// <summary>
/// Settings of the <see cref="TpeSampler"/>; the defaults are Optuna 3.1's <c>TPESampler()</c> defaults.
/// gamma(n) = min(ceil(0.1 n), 25) and the observation weights (Optuna's default_weights) are fixed:
/// see <see cref="TpeSampler.Gamma"/> and <see cref="TpeSampler.Weights"/>.
/// </summary>
public sealed record TpeOptions
{
    /// <summary>Trials sampled at random before TPE starts (counting completed and pruned trials). Optuna: n_startup_trials = 10.</summary>
    public int StartupTrials { get; init; } = 10;

    /// <summary>Candidates drawn from l(x) per parameter; the one maximizing l(x)/g(x) wins. Optuna: n_ei_candidates = 24.</summary>
    public int EiCandidates { get; init; } = 24;

    /// <summary>Add a prior kernel (the whole range; a uniform categorical) to both densities. Optuna: consider_prior = true.</summary>
    public bool ConsiderPrior { get; init; } = true;

    /// <summary>Weight of the prior kernel against an observation's weight. Optuna: prior_weight = 1.0.</summary>
    public double PriorWeight { get; init; } = 1.0;

    /// <summary>Keep kernel widths at least range / min(100, kernels + 1). Optuna: consider_magic_clip = true.</summary>
    public bool ConsiderMagicClip { get; init; } = true;

    /// <summary>Let the outermost kernels' widths reach the bounds. Optuna: consider_endpoints = false.</summary>
    public bool ConsiderEndpoints { get; init; }

    /// <summary>
    /// Constant liar (Optuna's <c>constant_liar</c>), for several workers: running trials join the history
    /// as if they had the worst value of all, so their points go into g(x) and a worker asking while
    /// another trains is steered away from that trial's point. Off by default, as in Optuna.
    /// </summary>
    public bool ConstantLiar { get; init; }

    public void Validate()
    {
        if (StartupTrials < 0) throw new FcnLabException($"TPE startup trials must be >= 0 (got {StartupTrials}).");
        if (EiCandidates < 1) throw new FcnLabException($"TPE needs at least 1 EI candidate (got {EiCandidates}).");
        if (!(PriorWeight > 0) || !double.IsFinite(PriorWeight)) throw new FcnLabException($"TPE prior weight must be a positive number (got {PriorWeight}).");
    }
}
