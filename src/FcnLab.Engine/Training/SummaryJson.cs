using System.Text.Json.Serialization;

namespace FcnLab.Engine.Training;

/// <summary>
/// summary.json as written (and `train --json`'s "summary"): a <see cref="RunSummary"/> with non-finite numbers as null and times
/// rounded to milliseconds. A pruned run adds prune_reason and test_weights "last" (its test used the weights it was stopped with).
/// </summary>
public sealed record SummaryJson(
    string Status,
    double? TestAccuracy,
    double? TestLoss,
    double? StartValAccuracy,
    double? BestValAccuracy,
    int? BestValEpoch,
    double? LowestTrainLoss,
    int? LowestTrainLossEpoch,
    int EpochsRun,
    int? DivergedEpoch,
    int? DivergedStep,
    double TrainSeconds,
    double SecondsPerEpoch,
    long Parameters,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PruneReason = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TestWeights = null)
{
    public static SummaryJson Of(RunSummary s) => new(s.Status.ToText(), Finite(s.TestAccuracy), Finite(s.TestLoss), Finite(s.StartValAccuracy),
        Finite(s.BestValAccuracy), s.BestValEpoch, Finite(s.LowestTrainLoss), s.LowestTrainLossEpoch, s.EpochsRun, s.DivergedEpoch, s.DivergedStep,
        Math.Round(s.TrainSeconds, 3), Math.Round(s.SecondsPerEpoch, 3), s.Parameters,
        s.PruneReason, s.PruneReason == null ? null : "last");

    /// <summary>Null for null, NaN and infinities (JSON has no number for them).</summary>
    public static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;
}
