using System.Globalization;
using System.Text;
using System.Text.Json;
using FcnLab.Engine.Training;
using FcnLab.Lab.Reports.Charts;

namespace FcnLab.Dashboard;

/// <summary>The compare view: 2 to 8 runs, their curves overlaid, the settings that differ side by side, their confusion matrices side by side.</summary>
internal static class ComparePage
{
    public const int Min = 2, Max = 8;

    public static IReadOnlyList<(string Id, string Svg)> Charts(IReadOnlyList<RunPage.Data> runs)
    {
        Series S(RunPage.Data d, string what, Func<EpochMetrics, double?> f, double scale = 1) =>
            new($"run {d.Trial.RunId} {what}", [.. d.Epochs.Select(e => new ChartPoint(e.Epoch, f(e) is { } v ? v * scale : double.NaN))]);
        return
        [
            ("val_accuracy", LineChart.Render("Validation accuracy", "Epoch", "Accuracy (%)", [.. runs.Select(d => S(d, "val.", e => e.ValAccuracy, 100))])),
            ("train_loss", LineChart.Render("Training loss", "Epoch", "Loss", [.. runs.Select(d => S(d, "train", e => e.TrainLoss))])),
            ("val_loss", LineChart.Render("Validation loss", "Epoch", "Loss", [.. runs.Select(d => S(d, "val.", e => e.ValLoss))])),
            .. runs.Where(d => d.Outcome?.Confusion != null).Select(d => (ConfusionId(d),
                ConfusionHeatmap.Render(string.Create(CultureInfo.InvariantCulture, $"Run {d.Trial.RunId}"), d.Outcome!.Confusion!, d.Outcome.ClassNames))),
        ];
    }

    private static string ConfusionId(RunPage.Data d) => string.Create(CultureInfo.InvariantCulture, $"confusion_{d.Trial.RunId}");

    public static string Render(IReadOnlyList<RunPage.Data> runs, string query)
    {
        var charts = Charts(runs);
        var sb = new StringBuilder("<section class=\"charts\">");
        foreach (var (id, svg) in charts.Where(c => !c.Id.StartsWith("confusion_", StringComparison.Ordinal)))
            sb.Append($"<figure class=\"chart\" id=\"chart-{id}\">{svg}<figcaption>{Html.Downloads($"/compare/charts/{id}", query)}</figcaption></figure>\n");
        sb.Append("</section>\n<h2>Settings that differ</h2>");
        var (keys, rows) = Diff(runs, forCsv: false);
        sb.Append($"<p><a href=\"/compare/settings.csv?{Html.Escape(query)}\" download>CSV</a></p><table class=\"diff\" id=\"diff\"><thead><tr><th>Setting</th>");
        foreach (var d in runs) sb.Append(CultureInfo.InvariantCulture, $"<th><a href=\"/runs/{d.Trial.RunId}\">run {d.Trial.RunId}</a></th>");
        sb.Append("</tr></thead><tbody>\n");
        foreach (var row in rows)
            sb.Append("<tr>").AppendJoin("", row.Select(v => $"<td>{Html.Escape(v)}</td>")).Append("</tr>\n");
        sb.Append("</tbody></table>\n");
        if (keys.Count == 0) sb.Append("<p class=\"note\">The runs' resolved settings are the same.</p>");
        sb.Append("<h2>Confusion matrices</h2><section class=\"charts\">");
        foreach (var d in runs)
            sb.Append(charts.FirstOrDefault(c => c.Id == ConfusionId(d)) is { Svg: { } svg }
                ? $"<figure class=\"chart\" id=\"chart-{ConfusionId(d)}\">{svg}<figcaption>{Html.Downloads($"/compare/charts/{ConfusionId(d)}", query)}</figcaption></figure>"
                : string.Create(CultureInfo.InvariantCulture, $"<figure class=\"chart\"><p class=\"note\">Run {d.Trial.RunId} has no test evaluation.</p></figure>"));
        sb.Append("</section>\n");
        return sb.ToString();
    }

    /// <summary>
    /// The settings table: per row the setting's name, then its value in each run; status and test accuracy first,
    /// then every resolved setting whose values differ. <paramref name="forCsv"/>: test accuracy as a fraction ("R").
    /// </summary>
    private static (List<string> Keys, List<string[]> Rows) Diff(IReadOnlyList<RunPage.Data> runs, bool forCsv)
    {
        var settings = runs.Select(d => Flatten(d.Trial.Definition.ConfigJson)).ToList();
        var keys = settings.SelectMany(s => s.Keys).Distinct().Order(StringComparer.Ordinal)
            .Where(k => settings.Select(s => s.GetValueOrDefault(k, "")).Distinct().Count() > 1).ToList();
        var rows = new List<string[]>();
        foreach (string k in (string[])["status", "test accuracy", .. keys])
            rows.Add([k, .. runs.Select((d, i) => k switch
            {
                "status" => d.Trial.Status.ToText(),
                "test accuracy" => forCsv ? Html.Num(d.Trial.Summary?.TestAccuracy, "R") : Html.Percent(d.Trial.Summary?.TestAccuracy),
                _ => settings[i].GetValueOrDefault(k, ""),
            })]);
        return (keys, rows);
    }

    /// <summary>The settings table as CSV: setting, then one column per run (run_ID).</summary>
    public static string Csv(IReadOnlyList<RunPage.Data> runs)
    {
        var sb = new StringBuilder("setting");
        foreach (var d in runs) sb.Append(CultureInfo.InvariantCulture, $",run_{d.Trial.RunId}");
        sb.Append('\n');
        foreach (var row in Diff(runs, forCsv: true).Rows)
            sb.AppendJoin(',', row.Select(RunsPage.CsvCell)).Append('\n');
        return sb.ToString();
    }

    /// <summary>config.json as "a.b.c" → value, for the settings diff.</summary>
    internal static Dictionary<string, string> Flatten(string json)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(json);
            Walk(doc.RootElement, "", result);
        }
        catch (JsonException)
        {
            result["config"] = json;
        }
        return result;
    }

    private static void Walk(JsonElement e, string prefix, Dictionary<string, string> into)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject()) Walk(p.Value, prefix.Length == 0 ? p.Name : prefix + "." + p.Name, into);
                break;
            default:
                into[prefix] = e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();
                break;
        }
    }
}
