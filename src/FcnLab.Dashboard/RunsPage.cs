using System.Globalization;
using System.Text;
using FcnLab.Engine.Training;
using FcnLab.Lab.Store;

namespace FcnLab.Dashboard;

/// <summary>The runs view: every run and trial in one table, sortable by any column, filtered by text, status and sweep, in pages; checkboxes pick runs to compare.</summary>
internal static class RunsPage
{
    private static readonly (string Key, string Header)[] Headers =
    [
        ("id", "Run"), ("sweep", "Sweep"), ("trial", "Trial"), ("status", "Status"), ("settings", "Settings"), ("test", "Test acc."),
        ("bestval", "Best val. acc. (epoch)"), ("epochs", "Epochs"), ("spe", "s/epoch"), ("started", "Started"), ("duration", "Duration"),
    ];

    public static string Render(IRunStore store, RunsQuery query)
    {
        var (page, total) = query.Read(store);
        int all = store.ListRuns(new RunListQuery { Limit = 0 }).Total;
        var sweeps = store.ListSweeps().Select(w => w.Name).ToList();
        var sb = new StringBuilder();
        sb.Append("<form class=\"filters\" method=\"get\" action=\"/\">")
          .Append($"<input type=\"search\" name=\"q\" placeholder=\"filter text\" value=\"{Html.Escape(query.Text)}\">")
          .Append("<select name=\"status\"><option value=\"\">any status</option>");
        foreach (var s in Enum.GetValues<RunStatus>())
            sb.Append($"<option{(query.Status == s.ToText() ? " selected" : "")}>{s.ToText()}</option>");
        sb.Append("</select><select name=\"sweep\"><option value=\"\">any sweep</option>")
          .Append($"<option value=\"-\"{(query.Sweep == "-" ? " selected" : "")}>(no sweep)</option>");
        foreach (string name in sweeps)
            sb.Append($"<option value=\"{Html.Escape(name)}\"{(query.Sweep == name ? " selected" : "")}>{Html.Escape(name)}</option>");
        sb.Append($"</select><input type=\"hidden\" name=\"sort\" value=\"{query.Sort}\"><input type=\"hidden\" name=\"desc\" value=\"{(query.Descending ? 1 : 0)}\">")
          .Append("<button type=\"submit\">Filter</button></form>\n");

        int pages = Math.Max(1, (total + query.PageSize - 1) / query.PageSize);
        sb.Append("<form method=\"get\" action=\"/compare\">")
          .Append(CultureInfo.InvariantCulture, $"<p class=\"count\"><span id=\"total\">{total}</span> runs of {all}; page {query.Page} of {pages}. ")
          .Append($"<a href=\"{Html.Escape(query.Link().Replace("/?", "/runs.csv?", StringComparison.Ordinal))}\" download>CSV</a> ")
          .Append("<button type=\"submit\" id=\"compare\">Compare selected (2-8)</button></p>\n")
          .Append("<table class=\"runs\" id=\"runs\"><thead><tr><th></th>");
        foreach (var (key, header) in Headers)
        {
            bool current = key == query.Sort;
            string arrow = current ? (query.Descending ? " ▼" : " ▲") : "";
            sb.Append($"<th><a data-sort=\"{key}\" href=\"{Html.Escape(query.Link(sort: key, desc: current ? !query.Descending : key is "test" or "bestval", page: 1))}\">{header}{arrow}</a></th>");
        }
        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var t in page) Row(sb, t);
        sb.Append("</tbody></table></form>\n<p class=\"pages\">");
        if (query.Page > 1) sb.Append($"<a rel=\"prev\" href=\"{Html.Escape(query.Link(page: query.Page - 1))}\">previous</a> ");
        if (query.Page < pages) sb.Append($"<a rel=\"next\" href=\"{Html.Escape(query.Link(page: query.Page + 1))}\">next</a>");
        sb.Append("</p>\n");
        return sb.ToString();
    }

    private static void Row(StringBuilder sb, TrialRecord t)
    {
        var s = t.Summary;
        string id = t.RunId.ToString(CultureInfo.InvariantCulture);
        sb.Append($"<tr data-run=\"{id}\"><td><input type=\"checkbox\" name=\"id\" value=\"{id}\"></td>")
          .Append($"<td><a href=\"/runs/{id}\">{id}</a></td>")
          .Append(t.Sweep is { } sweep ? $"<td><a href=\"/sweep?name={Html.Escape(Html.Url(sweep))}\">{Html.Escape(sweep)}</a></td>" : "<td></td>")
          .Append($"<td>{Html.Escape(t.TrialId)}</td>")
          .Append($"<td class=\"status {t.Status.ToText()}\">{t.Status.ToText()}</td>")
          .Append($"<td>{Html.Escape(RunsQuery.SettingsOf(t))}</td>")
          .Append($"<td class=\"num\">{Html.Percent(s?.TestAccuracy)}</td>")
          .Append($"<td class=\"num\">{Html.Percent(s?.BestValAccuracy)}{(s?.BestValEpoch is { } e ? $" ({e})" : "")}</td>")
          .Append($"<td class=\"num\">{s?.EpochsRun.ToString(CultureInfo.InvariantCulture)}</td>")
          .Append($"<td class=\"num\">{Html.Num(s?.SecondsPerEpoch, "F2")}</td>")
          .Append($"<td>{Html.Time(t.StartedAt)}</td>")
          .Append($"<td class=\"num\">{Html.Duration(RunsQuery.DurationOf(t))}</td></tr>\n");
    }

    /// <summary>The same rows (all pages) as CSV, RFC 4180 quoting.</summary>
    public static string Csv(IRunStore store, RunsQuery query)
    {
        var (rows, _) = query.Read(store, allRows: true);
        var sb = new StringBuilder("run_id,sweep,trial_id,status,settings,test_accuracy,best_val_accuracy,best_val_epoch,epochs_run,seconds_per_epoch,started_at,finished_at,error\n");
        foreach (var t in rows)
        {
            var s = t.Summary;
            string[] cells =
            [
                t.RunId.ToString(CultureInfo.InvariantCulture), t.Sweep ?? "", t.TrialId, t.Status.ToText(), RunsQuery.SettingsOf(t),
                Html.Num(s?.TestAccuracy, "R"), Html.Num(s?.BestValAccuracy, "R"), s?.BestValEpoch?.ToString(CultureInfo.InvariantCulture) ?? "",
                s?.EpochsRun.ToString(CultureInfo.InvariantCulture) ?? "", Html.Num(s?.SecondsPerEpoch, "R"), Html.Time(t.StartedAt), Html.Time(t.FinishedAt), t.Error ?? "",
            ];
            sb.AppendJoin(',', cells.Select(CsvCell)).Append('\n');
        }
        return sb.ToString();
    }

    public static string CsvCell(string v) => v.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + v.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : v;
}
