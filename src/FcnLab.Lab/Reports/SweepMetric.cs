using FcnLab.Engine;
using FcnLab.Engine.Training;

namespace FcnLab.Lab.Reports;

/// <summary>A per-trial result a sweep's parallel-coordinates chart can be drawn against (from the trial's summary).</summary>
public sealed record SweepMetric(string Id, string Label, Func<RunSummary, double?> Of, double Scale)
{
    public static SweepMetric TestAccuracy { get; } = new("test_accuracy", "Test accuracy (%)", s => s.TestAccuracy, 100);

    /// <summary>Every metric, the default first.</summary>
    public static IReadOnlyList<SweepMetric> All { get; } =
    [
        TestAccuracy,
        new("best_val_accuracy", "Highest validation accuracy (%)", s => s.BestValAccuracy, 100),
        new("start_val_accuracy", "Starting validation accuracy (%)", s => s.StartValAccuracy, 100),
        new("lowest_train_loss", "Lowest training loss", s => s.LowestTrainLoss, 1),
        new("test_loss", "Test loss", s => s.TestLoss, 1),
        new("seconds_per_epoch", "Seconds per epoch", s => s.SecondsPerEpoch, 1),
    ];

    /// <summary>The metric named <paramref name="id"/>; an unknown name is an error that lists the known ones.</summary>
    public static SweepMetric Parse(string id) =>
        All.FirstOrDefault(m => m.Id == id)
        ?? throw new FcnLabException($"There is no sweep metric '{id}'; use one of: {string.Join(", ", All.Select(m => m.Id))}.");
}
