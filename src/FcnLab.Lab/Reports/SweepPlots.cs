using System.Globalization;
using FcnLab.Engine.Training;
using FcnLab.Lab.Reports.Charts;

namespace FcnLab.Lab.Reports;

/// <summary>
/// A sweep's charts, shared by report.html and the dashboard's sweep view: the learning curves per configuration
/// (mean over repeats with a ± 1 std band where two or more repeats reached the epoch), training and validation
/// overlaid per configuration, one small panel per configuration with its test accuracy, and parallel coordinates
/// of the swept settings against a metric.
/// </summary>
public static class SweepPlots
{
    public const string TrainLoss = "train_loss";
    public const string ValAccuracy = "val_accuracy";
    public const string ValLoss = "val_loss";
    public const string TrainValLoss = "train_val_loss";
    public const string TrainValAccuracy = "train_val_accuracy";
    public const string Parallel = "parallel";
    /// <summary>At most this many configuration panels are drawn (the table has every row).</summary>
    public const int MaxPanels = 48;

    /// <summary>The id of configuration <paramref name="row"/>'s panel (1-based, in table order).</summary>
    public static string PanelId(int row) => "panel_" + row.ToString(CultureInfo.InvariantCulture);

    /// <summary>The curves of each metric per configuration (report.html's "Learning curves").</summary>
    public static IReadOnlyList<ReportPlot> Curves(SweepResults results, SweepTable table) =>
    [
        Curve(table, results.Name, TrainLoss, "Training loss", "Training loss", e => e.TrainLoss),
        Curve(table, results.Name, ValAccuracy, "Validation accuracy", "Validation accuracy (%)", e => e.ValAccuracy, 100),
        Curve(table, results.Name, ValLoss, "Validation loss", "Validation loss", e => e.ValLoss),
    ];

    /// <summary>Training and validation overlaid per configuration, the configuration panels and the parallel coordinates.</summary>
    public static IReadOnlyList<ReportPlot> Configurations(SweepResults results, SweepTable table, SweepMetric metric)
    {
        string Label(SweepTableRow r) => r.Label.Length > 0 ? r.Label : results.Name;
        const string Band = " The shaded band is ± 1 sample std over the repeats that reached the epoch.";
        var plots = new List<ReportPlot>();
        var loss = table.Rows.SelectMany(r => new[] { SweepCurves.Row(r, Label(r) + " train", e => e.TrainLoss), SweepCurves.Row(r, Label(r) + " val.", e => e.ValLoss) }).ToList();
        plots.Add(new ReportPlot(TrainValLoss, "Training (solid) and validation (dashed) loss per epoch, one color per configuration, mean over its repeats." + (HasBand(loss) ? Band : ""),
            LineChart.Render($"Training and validation loss: {results.Name}", "Epoch", "Loss", loss, paired: true)));
        var accuracy = table.Rows.SelectMany(r => new[] { SweepCurves.Row(r, Label(r) + " train", e => e.TrainAccuracy, 100), SweepCurves.Row(r, Label(r) + " val.", e => e.ValAccuracy, 100) }).ToList();
        plots.Add(new ReportPlot(TrainValAccuracy, "Training (solid) and validation (dashed) accuracy per epoch, one color per configuration, mean over its repeats." + (HasBand(accuracy) ? Band : ""),
            LineChart.Render($"Training and validation accuracy: {results.Name}", "Epoch", "Accuracy (%)", accuracy, paired: true)));
        plots.Add(ParallelPlot(results, table, metric));
        foreach (var (row, i) in table.Rows.Take(MaxPanels).Select((r, i) => (r, i + 1)))
        {
            string acc = row.TestAccuracy is { } s
                ? "test " + (s.Mean * 100).ToString("F2", CultureInfo.InvariantCulture) + (s.Std is { } sd ? " ± " + (sd * 100).ToString("F2", CultureInfo.InvariantCulture) : "") + "%"
                : "no test accuracy yet";
            var panel = new List<Series> { SweepCurves.Row(row, "training", e => e.TrainAccuracy, 100), SweepCurves.Row(row, "validation", e => e.ValAccuracy, 100) };
            plots.Add(new ReportPlot(PanelId(i), $"{Label(row)}: training and validation accuracy per epoch; {acc} (mean over completed repeats)." + (HasBand(panel) ? Band : ""),
                LineChart.Render($"{Label(row)}: {acc}", "Epoch", "Accuracy (%)", panel)));
        }
        return plots;
    }

    /// <summary>Parallel coordinates: one axis per swept setting whose values differ, then <paramref name="metric"/>; one line per trial.</summary>
    public static ReportPlot ParallelPlot(SweepResults results, SweepTable table, SweepMetric metric)
    {
        var varying = table.Settings
            .Where(s => results.Trials.Select(t => Value(t, s)).Distinct(StringComparer.Ordinal).Count() > 1).ToList();
        var lines = results.Trials.Select(t => new ParallelLine(
            [.. varying.Select(s => Value(t, s))],
            SweepTable.SummaryOf(t) is { } summary && SweepTableRow.IsCompleted(t.Trial.Status) && metric.Of(summary) is { } v ? v * metric.Scale : double.NaN)).ToList();
        return new ReportPlot(Parallel,
            $"Parallel coordinates: each line is one trial through its values of the settings that vary to its {metric.Label.ToLowerInvariant()}, colored by it; completed trials only.",
            ParallelCoordinates.Render($"Settings against {metric.Label.ToLowerInvariant()}: {results.Name}", varying, lines, metric.Label));
    }

    private static string Value(TrialResult t, string setting)
    {
        foreach (var p in t.Trial.Definition.Point)
            if (p.Key == setting) return p.Value;
        return "";
    }

    private static bool HasBand(IEnumerable<Series> series) => series.Any(s => s.Band != null);

    private static ReportPlot Curve(SweepTable table, string sweepName, string id, string title, string yLabel, Func<EpochMetrics, double?> metric, double scale = 1)
    {
        var series = SweepCurves.Build(table, sweepName, metric, scale);
        string caption = $"{title} per epoch, one line per configuration; repeats are averaged per epoch over the repeats that reached it.";
        if (HasBand(series)) caption += " The shaded band is ± 1 sample std where at least two did.";
        return new ReportPlot(id, caption, LineChart.Render($"{title}: {sweepName}", "Epoch", yLabel, series));
    }
}
