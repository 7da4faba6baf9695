namespace FcnLab.Lab.Sweeps;

/// <summary>How a search spec (one with a <c>space:</c> block) chooses its trials: the spec's <c>method:</c> (random or tpe; grid is a spec with axes).</summary>
public enum SearchMethod
{
    /// <summary>Every parameter drawn independently (<see cref="Search.RandomSampler"/>).</summary>
    Random,
    /// <summary>Tree-structured Parzen Estimator (<see cref="Search.TpeSampler"/>), random for its first 10 trials.</summary>
    Tpe,
}
