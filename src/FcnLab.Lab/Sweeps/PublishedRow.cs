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

    /// <summary>The published numbers, in table order: the spec's key for each (study.published in YAML) and how to read it from a row.</summary>
    public static readonly IReadOnlyList<(string Key, Func<PublishedRow, double?> Value)> Metrics =
    [
        ("test_acc", r => r.TestAccuracy),
        ("start_val_acc", r => r.StartValAccuracy),
        ("best_val_acc", r => r.BestValAccuracy),
        ("best_val_epoch", r => r.BestValEpoch),
        ("lowest_train_loss", r => r.LowestTrainLoss),
        ("lowest_train_loss_epoch", r => r.LowestTrainLossEpoch),
    ];
}
