using FcnLab.Engine.Training;

namespace FcnLab.Lab.Store;

/// <summary>A trial of a sweep with its stored epochs: what a search's sampler and pruner read (docs/search.md).</summary>
public sealed record TrialHistory(TrialRecord Trial, IReadOnlyList<EpochMetrics> Epochs);
