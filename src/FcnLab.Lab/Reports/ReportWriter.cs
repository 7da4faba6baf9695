using System.Globalization;
using System.Text;
using FcnLab.Engine.IO;
using FcnLab.Engine.Training;
using FcnLab.Lab.Reports.Charts;

namespace FcnLab.Lab.Reports;

/// <summary>
/// Writes a sweep's report directory: table.md, table.csv, the SVG plots (sweep curves and the best run's
/// plots) and report.html, one self-contained page with all of them. Every file is a pure function of the
/// results (and images), written atomically, so a report can be regenerated at any time byte for byte.
/// </summary>
public static class ReportWriter
{
    public const string TrainLoss = "train_loss";
    public const string ValAccuracy = "val_accuracy";
    public const string ValLoss = "val_loss";
    public const string BestPrefix = "best_";

    /// <summary>Every plot id a report can have, in page order.</summary>
    public static IReadOnlyList<string> PlotIds { get; } =
    [
        TrainLoss, ValAccuracy, ValLoss,
        BestPrefix + RunPlots.LossAccuracy, BestPrefix + RunPlots.TrainVsValLoss, BestPrefix + RunPlots.Confusion, BestPrefix + RunPlots.Misclassified,
    ];

    /// <param name="images">The test images for the best run's misclassified grid; null leaves the grid out with a note.</param>
    /// <returns>The paths written.</returns>
    public static IReadOnlyList<string> Write(SweepResults results, string outDir, ReportImages? images)
    {
        ArgumentNullException.ThrowIfNull(results);
        AtomicFile.CreateDirectory(outDir);
        var table = SweepTable.Build(results);
        var notes = new List<string>();

        var curves = new List<ReportPlot>
        {
            Curves(table, results.Name, TrainLoss, "Training loss", "Training loss", e => e.TrainLoss),
            Curves(table, results.Name, ValAccuracy, "Validation accuracy", "Validation accuracy (%)", e => e.ValAccuracy, 100),
            Curves(table, results.Name, ValLoss, "Validation loss", "Validation loss", e => e.ValLoss),
        };

        var best = BestRun(results);
        var bestPlots = new List<ReportPlot>();
        if (best == null)
            notes.Add("No best-run plots: no run has completed with a test accuracy yet.");
        else
        {
            var (plots, runNotes) = RunPlots.Build(best.Epochs, best.Outcome, images, BestPrefix, "Best run: ");
            bestPlots.AddRange(plots);
            notes.AddRange(runNotes);
        }

        var written = new List<string>();
        string mdPath = Path.Combine(outDir, "table.md"), csvPath = Path.Combine(outDir, "table.csv");
        AtomicFile.WriteAllText(mdPath, Markdown(results, table));
        AtomicFile.WriteAllText(csvPath, table.ToCsv());
        written.Add(mdPath);
        written.Add(csvPath);
        written.AddRange(RunPlots.WritePlots(outDir, [.. curves, .. bestPlots], PlotIds));
        string htmlPath = Path.Combine(outDir, "report.html");
        AtomicFile.WriteAllText(htmlPath, HtmlReport.Render(results, table, curves, best, bestPlots, notes));
        written.Add(htmlPath);
        return written;
    }

    /// <summary>The completed (or early-stopped) run with the highest test accuracy; the first one on a tie.</summary>
    public static TrialResult? BestRun(SweepResults results)
    {
        TrialResult? best = null;
        double bestAcc = double.NegativeInfinity;
        foreach (var t in results.Trials)
        {
            if (!SweepTableRow.IsCompleted(t.Trial.Status)) continue;
            if (SweepTable.SummaryOf(t)?.TestAccuracy is { } acc && double.IsFinite(acc) && acc > bestAcc)
                (best, bestAcc) = (t, acc);
        }
        return best;
    }

    private static ReportPlot Curves(SweepTable table, string sweepName, string id, string title, string yLabel, Func<EpochMetrics, double?> metric, double scale = 1)
    {
        var series = SweepCurves.Build(table, sweepName, metric, scale);
        string caption = $"{title} per epoch, one line per configuration; repeats are averaged per epoch over the repeats that reached it.";
        return new ReportPlot(id, caption, LineChart.Render($"{title}: {sweepName}", "Epoch", yLabel, series));
    }

    private static string Markdown(SweepResults results, SweepTable table)
    {
        var sb = new StringBuilder();
        sb.Append("# ").Append(results.Name).Append("\n\n");
        sb.Append(table.ToMarkdown()).Append('\n');
        sb.Append(TableNote).Append('\n');
        return sb.ToString();
    }

    internal const string TableNote =
        "Accuracies in percent, losses as computed; with repeats, mean ± sample standard deviation (n − 1) over the completed runs, " +
        "epochs (in parentheses) are means. Runs: completed / total.";

    /// <summary>"run 12 (optimizer=adam, repeat 1, seed 2)".</summary>
    internal static string Describe(TrialResult t)
    {
        var d = t.Trial.Definition;
        var parts = new List<string>();
        if (d.Point.Count > 0) parts.Add(SweepTableRow.PointLabel(d.Point));
        parts.Add($"repeat {d.Repeat.ToString(CultureInfo.InvariantCulture)}");
        parts.Add($"seed {d.Seed.ToString(CultureInfo.InvariantCulture)}");
        return $"run {t.Trial.RunId.ToString(CultureInfo.InvariantCulture)} ({string.Join(", ", parts)})";
    }
}
