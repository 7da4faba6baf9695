using System.Globalization;
using System.Text;
using FcnLab.Engine;
using FcnLab.Engine.Training;
using FcnLab.Lab.Reports;
using FcnLab.Lab.Reports.Charts;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;

namespace FcnLab.Dashboard;

/// <summary>
/// The sweep view: progress (trials pending, running, final; who holds what, heartbeats), the study table
/// (the rows of table.md: mean ± std over repeats, the best row marked; the study's published numbers beside it when the
/// spec has them), and the charts report.html has (<see cref="SweepPlots"/>): curves per configuration (training and
/// validation overlaid, mean over repeats with a ± std band), parallel coordinates of the settings against a chosen metric
/// and one small panel per configuration with its test accuracy. A search adds its section (<see cref="SearchReport"/>, as
/// report.html has it): the best trial, its command line and spec, setting importance and the search's charts.
/// </summary>
internal static class SweepPage
{
    /// <summary>The sweep's results as `fcnlab report` reads them (the trials of the spec it was last run with); all its trials when the stored spec no longer parses.</summary>
    public static (SweepResults Results, IReadOnlyList<TrialRecord> Trials, string? Note, StudyInfo? Study, SearchReport? Search)? Load(IRunStore store, string name)
    {
        if (store.GetSweep(name) is not { } record) return null;
        var trials = store.ListTrials(name);
        try
        {
            var spec = SweepSpecParser.Parse(record.SpecText, $"the stored spec of sweep '{name}'");
            var results = SweepResults.Of(store, spec);
            return (results, trials, null, spec.Study, spec.Search == null ? null : SearchReport.Build(results, spec));
        }
        catch (FcnLabException e)
        {
            var axes = trials.SelectMany(t => t.Definition.Point.Select(p => p.Key)).Distinct().ToList();
            return (SweepResults.Load(store, name, axes), trials, $"The stored spec does not parse ({e.Message}); every trial recorded under this name is shown.", null, null);
        }
    }

    /// <summary>The sweep's charts (the same as report.html's, <see cref="SweepPlots"/>): the curves per configuration, training and validation overlaid, parallel coordinates against <paramref name="metric"/>, the configuration panels.</summary>
    public static IReadOnlyList<(string Id, string Svg)> Charts(SweepResults results, SweepTable table, SweepMetric metric, SearchReport? search) =>
        [.. SweepPlots.Curves(results, table).Concat(SweepPlots.Configurations(results, table, metric)).Concat(search?.Plots ?? []).Select(p => (p.Id, p.Svg))];

    public static string Render(string name, SweepResults results, IReadOnlyList<TrialRecord> trials, string? note, StudyInfo? study, SweepMetric metric, SearchReport? search = null)
    {
        var table = SweepTable.Build(results);
        var tally = SweepTally.Of(trials);
        string query = "?name=" + Html.Url(name);
        var sb = new StringBuilder();
        if (note != null) sb.Append($"<p class=\"note\">{Html.Escape(note)}</p>");
        sb.Append(CultureInfo.InvariantCulture,
            $"<section class=\"status\"><p id=\"tally\">{tally.Total} trials: {tally.Pending} pending, {tally.Running} running, {tally.Interrupted} interrupted, {tally.Completed} completed, {tally.EarlyStopped} early-stopped, {tally.Diverged} diverged, {(tally.Pruned > 0 ? $"{tally.Pruned} pruned, " : "")}{tally.Failed} failed.</p>");
        var running = trials.Where(t => t.Status == RunStatus.Running).ToList();
        if (running.Count > 0)
        {
            sb.Append("<table class=\"workers\"><thead><tr><th>Run</th><th>Trial</th><th>Held by</th><th>Heartbeat</th></tr></thead><tbody>");
            foreach (var t in running)
                sb.Append(CultureInfo.InvariantCulture, $"<tr><td><a href=\"/runs/{t.RunId}\">{t.RunId}</a></td><td>{Html.Escape(t.TrialId)}</td><td>{Html.Escape(t.Owner)}</td><td>{Html.Time(t.Heartbeat)}</td></tr>");
            sb.Append("</tbody></table>");
        }
        sb.Append($"<p><a href=\"/?sweep={Html.Escape(Html.Url(name))}\">the trials in the runs table</a></p></section>\n");
        if (search != null) Search(sb, search, query);
        sb.Append($"<h2>Study table</h2><p><a href=\"/sweep/table.csv{Html.Escape(query)}\" download>CSV</a> <a href=\"/sweep/table.md{Html.Escape(query)}\" download>Markdown</a></p>\n")
          .Append("<div class=\"study\"><div>").Append(table.ToHtml()).Append("</div>");
        if (study is { Published.Count: > 0 }) Published(sb, study, results);
        sb.Append("</div>\n");
        sb.Append("<form class=\"metric\" method=\"get\" action=\"/sweep\"><input type=\"hidden\" name=\"name\" value=\"").Append(Html.Escape(name))
          .Append("\"><label>Parallel coordinates against <select name=\"metric\" id=\"metric\">");
        foreach (var m in SweepMetric.All)
            sb.Append($"<option value=\"{m.Id}\"{(m == metric ? " selected" : "")}>{Html.Escape(m.Label)}</option>");
        sb.Append("</select></label> <button type=\"submit\">Apply</button></form>\n");
        string chartQuery = query + (metric == SweepMetric.TestAccuracy ? "" : "&metric=" + metric.Id);
        sb.Append("<section class=\"charts\">");
        foreach (var (id, svg) in Charts(results, table, metric, null))
            sb.Append($"<figure class=\"chart{(id.StartsWith("panel_", StringComparison.Ordinal) ? " panel" : "")}\" id=\"chart-{id}\">{svg}<figcaption>{Html.Downloads($"/sweep/charts/{id}", chartQuery)}</figcaption></figure>\n");
        sb.Append("</section>\n");
        return sb.ToString();
    }

    /// <summary>A search's section: its summary, the best trial as a command and a spec (downloadable), setting importance and the search's charts.</summary>
    private static void Search(StringBuilder sb, SearchReport search, string query)
    {
        sb.Append("<section class=\"search\" id=\"search\"><h2>Search</h2>");
        sb.Append($"<p id=\"search-summary\">{Html.Escape(search.Summary)}</p>");
        if (search.BestCommandLine != null)
        {
            sb.Append($"<p>The best trial as a command (<a href=\"/sweep/{SearchReport.CommandFile}{Html.Escape(query)}\" download>{SearchReport.CommandFile}</a>) and as a spec that trains it again over {SearchReport.RecipeRepeats} seeds (<a href=\"/sweep/{SearchReport.SpecFile}{Html.Escape(query)}\" download>{SearchReport.SpecFile}</a>):</p>");
            sb.Append($"<pre id=\"best-command\">{Html.Escape(search.BestCommandLine)}</pre>");
        }
        sb.Append($"<p><a href=\"/sweep/{SearchReport.CsvFile}{Html.Escape(query)}\" download>every trial as CSV</a></p>");
        if (search.Importance.Count > 0)
        {
            sb.Append("<table id=\"importance\"><thead><tr><th>Setting</th><th>Importance</th><th>Omega squared</th><th>Groups</th></tr></thead><tbody>");
            foreach (var e in search.Importance)
                sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.Escape(e.Name)}</td><td>{e.Share * 100:F0}%</td><td>{e.OmegaSquared:F3}</td><td>{e.Groups}</td></tr>");
            sb.Append("</tbody></table>");
        }
        sb.Append("<section class=\"charts\">");
        foreach (var plot in search.Plots)
            sb.Append($"<figure class=\"chart\" id=\"chart-{plot.Id}\">{plot.Svg}<figcaption>{Html.Escape(plot.Caption)} {Html.Downloads($"/sweep/charts/{plot.Id}", query)}</figcaption></figure>\n");
        sb.Append("</section></section>\n");
    }

    /// <summary>The study's published numbers beside ours (`fcnlab reproduce`'s table): accuracies in percent, ours as mean ± std over the finished repeats.</summary>
    private static void Published(StringBuilder sb, StudyInfo study, SweepResults results)
    {
        sb.Append($"<div><h3>Published: {Html.Escape(study.Source)} — {Html.Escape(study.Table)}</h3><table class=\"published\" id=\"published\"><thead><tr>");
        foreach (string h in ComparisonRow.Header(results.AxisSettings)) sb.Append($"<th>{Html.Escape(h)}</th>");
        sb.Append("</tr></thead><tbody>\n");
        foreach (var row in StudyComparison.Compare(study, results))
            sb.Append("<tr>").AppendJoin("", row.Cells().Select(c => $"<td>{Html.Escape(c)}</td>")).Append("</tr>\n");
        sb.Append("</tbody></table><p class=\"note\">\"within 2 std\" needs at least 2 repeats.</p></div>");
    }

    public static string List(IReadOnlyList<SweepRecord> sweeps, IReadOnlyList<TrialRecord> trials)
    {
        var bySweep = trials.Where(t => t.Sweep != null).ToLookup(t => t.Sweep!);
        var sb = new StringBuilder("<table class=\"sweeps\" id=\"sweeps\"><thead><tr><th>Sweep</th><th>Trials</th><th>Pending</th><th>Running</th><th>Final</th><th>Updated</th></tr></thead><tbody>\n");
        foreach (var s in sweeps)
        {
            var tally = SweepTally.Of([.. bySweep[s.Name]]);
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td><a href=\"/sweep?name={Html.Escape(Html.Url(s.Name))}\">{Html.Escape(s.Name)}</a></td><td class=\"num\">{tally.Total}</td><td class=\"num\">{tally.Pending}</td><td class=\"num\">{tally.Running}</td><td class=\"num\">{tally.Total - tally.NotYetRun}</td><td>{Html.Time(s.UpdatedAt)}</td></tr>\n");
        }
        sb.Append("</tbody></table>\n");
        return sb.ToString();
    }
}
