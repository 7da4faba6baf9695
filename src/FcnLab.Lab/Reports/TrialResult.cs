using FcnLab.Engine.Training;
using FcnLab.Lab.Store;

namespace FcnLab.Lab.Reports;

/// <summary>One trial with everything a report needs: its record, its epochs and (when final and not failed) its outcome.</summary>
public sealed record TrialResult(TrialRecord Trial, IReadOnlyList<EpochMetrics> Epochs, TrialOutcome? Outcome);
