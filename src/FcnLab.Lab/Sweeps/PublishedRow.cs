namespace FcnLab.Lab.Sweeps;

/// <summary>
/// One published row: the axis values it belongs to (canonical setting names to values as the axes write
/// them) and the study's numbers, accuracies in percent and losses as printed; null where not published.
/// </summary>
public sealed record PublishedRow
{
    public IReadOnlyDictionary<string, string> Point { get; init; } = new Dictionary<string, string>();
    public double? TestAccuracy { get; init; }
    public double? StartValAccuracy { get; init; }
    public double? BestValAccuracy { get; init; }
    public int? BestValEpoch { get; init; }
    public double? LowestTrainLoss { get; init; }
    public int? LowestTrainLossEpoch { get; init; }
}
