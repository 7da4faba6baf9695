namespace FcnLab.Engine.Training;

/// <summary>summary.json: keys as the run directory contract names them, null where they do not apply.</summary>
public sealed record RunSummary
{
    public required RunStatus Status { get; init; }
    public double? TestAccuracy { get; init; }
    public double? TestLoss { get; init; }
    public double? StartValAccuracy { get; init; }
    public double? BestValAccuracy { get; init; }
    public int? BestValEpoch { get; init; }
    public double? LowestTrainLoss { get; init; }
    public int? LowestTrainLossEpoch { get; init; }
    public int EpochsRun { get; init; }
    public int? DivergedEpoch { get; init; }
    public int? DivergedStep { get; init; }
    public double TrainSeconds { get; init; }
    public double SecondsPerEpoch { get; init; }
    public long Parameters { get; init; }
    /// <summary>Why a search's pruner stopped the run (status pruned; its test used the last weights, not --restore-best's); null otherwise.</summary>
    public string? PruneReason { get; init; }
}
