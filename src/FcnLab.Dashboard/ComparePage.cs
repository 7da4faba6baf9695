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
        ];
    }

    public static string Render(IReadOnlyList<RunPage.Data> runs, string query)
    {
        var sb = new StringBuilder("<section class=\"charts\">");
        foreach (var (id, svg) in Charts(runs))
            sb.Append($"<figure class=\"chart\" id=\"chart-{id}\">{svg}<figcaption><a href=\"/compare/charts/{id}.svg?{Html.Escape(query)}\" download>SVG</a></figcaption></figure>\n");
        sb.Append("</section>\n<h2>Settings that differ</h2>");
        var settings = runs.Select(d => Flatten(d.Trial.Definition.ConfigJson)).ToList();
        var keys = settings.SelectMany(s => s.Keys).Distinct().Order(StringComparer.Ordinal)
            .Where(k => settings.Select(s => s.GetValueOrDefault(k, "")).Distinct().Count() > 1).ToList();
        sb.Append("<table class=\"diff\" id=\"diff\"><thead><tr><th>Setting</th>");
        foreach (var d in runs) sb.Append(CultureInfo.InvariantCulture, $"<th><a href=\"/runs/{d.Trial.RunId}\">run {d.Trial.RunId}</a></th>");
        sb.Append("</tr></thead><tbody>\n");
        string[] rows = ["status", "test accuracy", .. keys];
        foreach (string k in rows)
        {
            sb.Append($"<tr><td>{Html.Escape(k)}</td>");
            for (int i = 0; i < runs.Count; i++)
            {
                string v = k switch
                {
                    "status" => runs[i].Trial.Status.ToText(),
                    "test accuracy" => Html.Percent(runs[i].Trial.Summary?.TestAccuracy),
                    _ => settings[i].GetValueOrDefault(k, ""),
                };
                sb.Append($"<td>{Html.Escape(v)}</td>");
            }
            sb.Append("</tr>\n");
        }
        sb.Append("</tbody></table>\n");
        if (keys.Count == 0) sb.Append("<p class=\"note\">The runs' resolved settings are the same.</p>");
        sb.Append("<h2>Confusion matrices</h2><section class=\"charts\">");
        foreach (var d in runs)
            sb.Append(CultureInfo.InvariantCulture, $"<figure class=\"chart\">{(d.Outcome?.Confusion is { } c ? ConfusionHeatmap.Render($"Run {d.Trial.RunId}", c, d.Outcome.ClassNames) : $"<p class=\"note\">Run {d.Trial.RunId} has no test evaluation.</p>")}</figure>");
        sb.Append("</section>\n");
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
