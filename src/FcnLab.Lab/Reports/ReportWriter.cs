using System.Globalization;
using System.Text;
using FcnLab.Engine.IO;
using FcnLab.Engine.Training;
using FcnLab.Lab.Reports.Charts;

namespace FcnLab.Lab.Reports;

/// <summary>
/// Writes a sweep's report directory: table.md, table.csv, the SVG plots (sweep curves, training and validation
/// overlaid, a panel per configuration, parallel coordinates: <see cref="SweepPlots"/>; the best run's plots) and report.html, one self-contained page with all of them. Every file is a pure function of the
/// results (and images), written atomically, so a report can be regenerated at any time byte for byte.
/// </summary>
public static class ReportWriter
{
    public const string TrainLoss = SweepPlots.TrainLoss;
    public const string ValAccuracy = SweepPlots.ValAccuracy;
    public const string ValLoss = SweepPlots.ValLoss;
    public const string BestPrefix = "best_";

    /// <summary>Every plot id a report has whatever its results, in page order (the configuration panels, <see cref="SweepPlots.PanelId"/>, come after the parallel coordinates).</summary>
    public static IReadOnlyList<string> PlotIds { get; } =
    [
        TrainLoss, ValAccuracy, ValLoss,
        SweepPlots.TrainValLoss, SweepPlots.TrainValAccuracy, SweepPlots.Parallel,
        BestPrefix + RunPlots.LossAccuracy, BestPrefix + RunPlots.TrainVsValLoss, BestPrefix + RunPlots.Confusion, BestPrefix + RunPlots.Misclassified,
    ];

    /// <param name="images">The test images for the best run's misclassified grid; null leaves the grid out with a note.</param>
    /// <param name="spec">The sweep's spec: a search's (with a space) adds <see cref="SearchReport"/>'s plots and files; null or a grid's adds nothing.</param>
    /// <returns>The paths written.</returns>
    /// <param name="compareWith">For a search: other searches drawn beside it by best value against epochs spent (<see cref="SearchReport.CompareId"/>).</param>
    public static IReadOnlyList<string> Write(SweepResults results, string outDir, ReportImages? images, Sweeps.SweepSpec? spec = null,
        IReadOnlyList<(SweepResults Results, Sweeps.SweepSpec Spec)>? compareWith = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        AtomicFile.CreateDirectory(outDir);
        var table = SweepTable.Build(results);
        var notes = new List<string>();

        var curves = SweepPlots.Curves(results, table);
        var configurations = SweepPlots.Configurations(results, table, SweepMetric.TestAccuracy);

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
        if (compareWith is { Count: > 0 } && spec?.Search == null)
            throw new Engine.FcnLabException($"Sweep '{results.Name}' is a grid: only a search's report compares it with other searches.");
        var search = spec?.Search == null ? null : SearchReport.Build(results, spec, compareWith);
        if (search != null)
        {
            foreach (var (file, text) in new[] { (SearchReport.CommandFile, search.BestCommandLine), (SearchReport.SpecFile, search.BestSpecYaml), (SearchReport.CsvFile, search.Csv) })
            {
                string path = Path.Combine(outDir, file);
                if (text == null) File.Delete(path); // no best trial yet: an older one's recipe would mislead
                else
                {
                    AtomicFile.WriteAllText(path, text.EndsWith('\n') ? text : text + "\n");
                    written.Add(path);
                }
            }
        }
        var allIds = PlotIds.Concat(Enumerable.Range(1, SweepPlots.MaxPanels).Select(SweepPlots.PanelId))
            .Concat(search?.Plots.Select(p => p.Id) ?? []).Append(SearchReport.CompareId).Distinct().ToList();
        written.AddRange(RunPlots.WritePlots(outDir, [.. curves, .. configurations, .. bestPlots, .. search?.Plots ?? []], allIds));
        string htmlPath = Path.Combine(outDir, "report.html");
        AtomicFile.WriteAllText(htmlPath, HtmlReport.Render(results, table, curves, configurations, best, bestPlots, notes, search));
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
