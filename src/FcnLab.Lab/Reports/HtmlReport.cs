using FcnLab.Engine.Training;
using System.Globalization;
using System.Text;
using FcnLab.Lab.Reports.Charts;

namespace FcnLab.Lab.Reports;

/// <summary>
/// report.html: one self-contained page (inline CSS, SVGs inlined, no script and no external resource)
/// with the sweep's table and every plot, each in a &lt;figure class="plot" id="ID"&gt;.
/// </summary>
internal static class HtmlReport
{
    private const string Css = """
        body { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; color: #222; margin: 2em auto; max-width: 1200px; padding: 0 1em; }
        h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
        table.sweep { border-collapse: collapse; font-size: 14px; }
        table.sweep th, table.sweep td { border: 1px solid #ccc; padding: 4px 8px; }
        table.sweep th { background: #f3f3f3; text-align: left; }
        table.sweep .num { text-align: right; white-space: nowrap; }
        table.sweep tr.best { font-weight: bold; background: #fff6d5; }
        figure.plot { margin: 1.5em 0; }
        figure.plot svg { max-width: 100%; height: auto; }
        figcaption { color: #555; font-size: 13px; margin-top: 0.3em; }
        p.note { color: #8a4b00; }
        p.small { color: #555; font-size: 13px; }
        """;

    /// <summary>The heading that opens the section of the configurations' plots (training and validation overlaid, parallel coordinates, panels).</summary>
    public const string ConfigurationsHeading = "<h2>Configurations</h2>\n";

    public static string Render(SweepResults results, SweepTable table, IReadOnlyList<ReportPlot> curves, IReadOnlyList<ReportPlot> configurations,
        TrialResult? best, IReadOnlyList<ReportPlot> bestPlots, IReadOnlyList<string> notes, SearchReport? search = null)
    {
        string name = SvgText.Escape(results.Name);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        sb.Append("<title>FcnLab report: ").Append(name).Append("</title>\n");
        sb.Append("<style>\n").Append(Css).Append("\n</style>\n</head>\n<body>\n");
        sb.Append("<h1>Sweep: ").Append(name).Append("</h1>\n");
        sb.Append("<p class=\"summary\">").Append(SvgText.Escape(Summary(results, table))).Append("</p>\n");

        sb.Append("<h2>Results</h2>\n").Append(table.ToHtml());
        sb.Append("<p class=\"small\">").Append(SvgText.Escape(ReportWriter.TableNote)).Append("</p>\n");

        if (search != null) Search(sb, search);

        sb.Append("<h2>Learning curves</h2>\n");
        foreach (var plot in curves) Figure(sb, plot);

        sb.Append(ConfigurationsHeading);
        foreach (var plot in configurations.Where(p => !IsPanel(p))) Figure(sb, plot);
        // The panels side by side (inline style: the style sheet above stays as older reports have it).
        sb.Append("<div class=\"panels\" style=\"display: flex; flex-wrap: wrap; gap: 0 1.5em;\">\n");
        foreach (var plot in configurations.Where(IsPanel)) Figure(sb, plot, "width: 30%; min-width: 320px;");
        sb.Append("</div>\n");

        sb.Append("<h2>Best run</h2>\n");
        if (best != null && SweepTable.SummaryOf(best)?.TestAccuracy is { } acc)
            sb.Append("<p>").Append(SvgText.Escape(ReportWriter.Describe(best)))
                .Append(": test accuracy ").Append((acc * 100).ToString("F2", CultureInfo.InvariantCulture)).Append("%.</p>\n");
        foreach (var plot in bestPlots) Figure(sb, plot);
        foreach (string note in notes) sb.Append("<p class=\"note\">").Append(SvgText.Escape(note)).Append("</p>\n");

        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>A search's section: its summary, the best trial's command line and spec, the importance table and the search's plots.</summary>
    private static void Search(StringBuilder sb, SearchReport search)
    {
        sb.Append("<h2>Search</h2>\n");
        sb.Append("<p class=\"search-summary\">").Append(SvgText.Escape(search.Summary)).Append("</p>\n");
        if (search.BestCommandLine != null)
        {
            sb.Append("<p>The best trial, as a command (<code>").Append(SearchReport.CommandFile).Append("</code>):</p>\n");
            sb.Append("<pre class=\"best-command\">").Append(SvgText.Escape(search.BestCommandLine)).Append("</pre>\n");
            sb.Append("<p>and as a spec that trains it again over ").Append(SearchReport.RecipeRepeats.ToString(CultureInfo.InvariantCulture))
                .Append(" seeds (<code>").Append(SearchReport.SpecFile).Append("</code>, run it with <code>fcnlab sweep</code>):</p>\n");
            sb.Append("<pre class=\"best-spec\">").Append(SvgText.Escape(search.BestSpecYaml!)).Append("</pre>\n");
        }
        if (search.Importance.Count > 0)
        {
            sb.Append("<table class=\"sweep importance\">\n<tr><th>setting</th><th>importance</th><th>omega squared</th><th>groups</th></tr>\n");
            foreach (var e in search.Importance)
                sb.Append("<tr><td>").Append(SvgText.Escape(e.Name)).Append("</td><td class=\"num\">")
                    .Append((e.Share * 100).ToString("F0", CultureInfo.InvariantCulture)).Append("%</td><td class=\"num\">")
                    .Append(e.OmegaSquared.ToString("F3", CultureInfo.InvariantCulture)).Append("</td><td class=\"num\">")
                    .Append(e.Groups.ToString(CultureInfo.InvariantCulture)).Append("</td></tr>\n");
            sb.Append("</table>\n");
        }
        foreach (var plot in search.Plots) Figure(sb, plot);
    }

    private static bool IsPanel(ReportPlot plot) => plot.Id.StartsWith("panel_", StringComparison.Ordinal);

    private static void Figure(StringBuilder sb, ReportPlot plot, string? style = null)
    {
        sb.Append("<figure class=\"plot\" id=\"").Append(SvgText.Escape(plot.Id)).Append('"');
        if (style != null) sb.Append(" style=\"").Append(style).Append('"');
        sb.Append(">\n");
        sb.Append(plot.Svg);
        sb.Append("<figcaption>").Append(SvgText.Escape(plot.Caption)).Append("</figcaption>\n</figure>\n");
    }

    /// <summary>"12 trials at 4 grid points: 10 completed, 1 diverged, 1 failed."</summary>
    private static string Summary(SweepResults results, SweepTable table)
    {
        if (results.Trials.Count == 0) return "No trials recorded yet.";
        var counts = results.Trials
            .GroupBy(t => SweepTableRow.IsCompleted(t.Trial.Status) ? "completed" : t.Trial.Status.ToText())
            .Select(g => $"{g.Count().ToString(CultureInfo.InvariantCulture)} {g.Key}");
        return $"{Count(results.Trials.Count, "trial")} at {Count(table.Rows.Count, "grid point")}: {string.Join(", ", counts)}.";
    }

    private static string Count(int n, string noun) => $"{n.ToString(CultureInfo.InvariantCulture)} {noun}{(n == 1 ? "" : "s")}";
}
