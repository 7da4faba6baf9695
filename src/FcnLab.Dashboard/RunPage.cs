using System.Globalization;
using System.Text;
using System.Text.Json;
using FcnLab.Engine.Models;
using FcnLab.Engine.Training;
using FcnLab.Lab.Reports.Charts;
using FcnLab.Lab.Store;

namespace FcnLab.Dashboard;

/// <summary>
/// The run view: status (running: epoch, step, ETA; diverged: where; failed: the message), curves per epoch
/// (loss, accuracy, learning rate), the per-step loss with optional debiased EMA smoothing, the confusion matrix
/// with per-class precision/recall/F1, the misclassified test examples, the model summary with a diagram of the network
/// and the resolved settings. While the run trains the page's script fetches <c>/runs/ID/live</c> (this same content) every second and swaps it in.
/// </summary>
internal static class RunPage
{
    /// <summary>Everything the run view draws, read from the store in one go.</summary>
    public sealed record Data(TrialRecord Trial, IReadOnlyList<EpochMetrics> Epochs, RunProgress? Progress, TrialOutcome? Outcome);

    /// <summary>The run's record, epochs, published position and results from one snapshot, so the progress line and the epochs table agree.</summary>
    public static Data? Load(IRunStore store, long runId) => store.ReadConsistent(s =>
        s.GetTrial(runId) is { } t ? new Data(t, s.GetEpochs(runId), s.GetProgress(runId), s.GetOutcome(runId)) : null);

    public static bool IsLive(Data d) => d.Trial.Status is RunStatus.Running or RunStatus.Pending;

    /// <summary>The charts by id: the page embeds them, /runs/ID/charts/ID.svg downloads them (same SVG, legend and axis titles included).</summary>
    public static IReadOnlyList<(string Id, string Svg)> Charts(Data d, double smoothing, TestImages images, ModelSummaries models, out string stepNote)
    {
        var e = d.Epochs;
        Series S(string label, Func<EpochMetrics, double?> f, double scale = 1) =>
            new(label, [.. e.Select(x => new ChartPoint(x.Epoch, f(x) is { } v ? v * scale : double.NaN))]);
        var charts = new List<(string, string)>
        {
            ("loss", LineChart.Render("Loss per epoch", "Epoch", "Loss", [S("training loss", x => x.TrainLoss), S("validation loss", x => x.ValLoss)])),
            ("accuracy", LineChart.Render("Accuracy per epoch", "Epoch", "Accuracy (%)", [S("training accuracy", x => x.TrainAccuracy, 100), S("validation accuracy", x => x.ValAccuracy, 100)])),
            ("lr", LineChart.Render("Learning rate per epoch", "Epoch", "Learning rate", [S("learning rate", x => x.Lr)])),
        };

        var curve = StepCurve.FromStore(d.Progress);
        if (d.Trial.Status.IsFinal())
        {
            try
            {
                if (StepCurve.FromRunDir(d.Trial.Definition.RunDir) is { } fromDir) curve = fromDir;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                curve = curve with { Source = curve.Source + $"; steps.csv could not be read: {ex.Message}" };
            }
        }
        stepNote = curve.Source;
        var raw = Downsample.MinMax(curve.Points, 400);
        var steps = new List<Series> { new("training loss per step", raw) };
        if (smoothing > 0) steps.Add(new Series($"debiased EMA (weight {smoothing.ToString(CultureInfo.InvariantCulture)})", Downsample.MinMax(Smoothing.DebiasedEma(curve.Points, smoothing), 400)));
        charts.Add(("steps", LineChart.Render("Training loss per step", "Step", "Loss", steps, integerX: true)));

        if (d.Outcome?.Confusion is { } confusion)
            charts.Add(("confusion", ConfusionHeatmap.Render("Confusion matrix (test set)", confusion, d.Outcome.ClassNames)));
        if (d.Outcome is { Misclassified.Count: > 0 } o && images.For(d.Trial.Definition.ConfigJson) is { Images: { } testImages })
            charts.Add(("misclassified", MisclassifiedGrid.Render("Misclassified test images", o.Misclassified, testImages)));
        if (Model(d, images, models).Summary is { } summary)
            charts.Add(("network", NetworkDiagram.Render("The network", summary)));
        return charts;
    }

    public static string Render(Data d, double smoothing, TestImages images, ModelSummaries models)
    {
        var t = d.Trial;
        string id = t.RunId.ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.Append("<section class=\"status\"><dl>");
        Item(sb, "status", t.Status.ToText(), "status-value");
        if (t.Sweep != null) sb.Append($"<dt>sweep</dt><dd><a href=\"/sweep?name={Html.Escape(Html.Url(t.Sweep))}\">{Html.Escape(t.Sweep)}</a></dd>");
        Item(sb, "trial", t.TrialId);
        if (t.Definition.Point.Count > 0) Item(sb, "settings swept", RunsQuery.SettingsOf(t));
        if (t.Status == RunStatus.Running && d.Progress is { } p)
        {
            var pos = p.Position;
            Item(sb, "progress", $"epoch {pos.Epoch}/{pos.Epochs}, step {pos.Step}/{pos.Steps}, loss {pos.RunningLoss.ToString("F4", CultureInfo.InvariantCulture)}", "progress");
            Item(sb, "ETA", pos.Remaining is { } left ? $"{Html.Duration(left)} at {pos.StepsPerSecond!.Value.ToString("F1", CultureInfo.InvariantCulture)} steps/s" : "not yet known");
            Item(sb, "published", Html.Time(p.UpdatedAt));
        }
        if (t.Owner != null) Item(sb, "held by", t.Owner);
        if (t.Heartbeat != null) Item(sb, "heartbeat", Html.Time(t.Heartbeat));
        if (t.Summary is { } s)
        {
            Item(sb, "test accuracy", Html.Percent(s.TestAccuracy));
            Item(sb, "best val. accuracy", $"{Html.Percent(s.BestValAccuracy)} (epoch {s.BestValEpoch})");
            Item(sb, "epochs run", s.EpochsRun.ToString(CultureInfo.InvariantCulture));
            Item(sb, "seconds per epoch", Html.Num(s.SecondsPerEpoch, "F2"));
            Item(sb, "parameters", s.Parameters.ToString(CultureInfo.InvariantCulture));
            if (s.DivergedEpoch is { } de) Item(sb, "diverged", $"at epoch {de}, step {s.DivergedStep}", "diverged");
        }
        if (t.Error != null) Item(sb, t.Status == RunStatus.Failed ? "error" : "note", t.Error, "error");
        Item(sb, "attempts", t.Attempts.ToString(CultureInfo.InvariantCulture));
        Item(sb, "created", Html.Time(t.CreatedAt));
        Item(sb, "started", Html.Time(t.StartedAt));
        Item(sb, "finished", Html.Time(t.FinishedAt));
        Item(sb, "run directory", t.Definition.RunDir);
        sb.Append("</dl></section>\n");

        var charts = Charts(d, smoothing, images, models, out string stepNote);
        sb.Append("<form class=\"smoothing\" method=\"get\"><label>Step-loss smoothing (debiased EMA weight) <select name=\"smooth\" id=\"smooth\">");
        foreach (double w in new[] { 0, 0.6, 0.9, 0.99 })
            sb.Append(CultureInfo.InvariantCulture, $"<option value=\"{w}\"{(w == smoothing ? " selected" : "")}>{(w == 0 ? "none" : w.ToString(CultureInfo.InvariantCulture))}</option>");
        sb.Append("</select></label> <button type=\"submit\">Apply</button></form>\n<section class=\"charts\">");
        foreach (var (chart, svg) in charts.Where(c => c.Id != "network"))
        {
            string link = $"/runs/{id}/charts/{chart}";
            sb.Append($"<figure class=\"chart\" id=\"chart-{chart}\">{svg}<figcaption>")
              .Append(chart == "steps" ? Html.Escape(stepNote) + ". " : "")
              .Append(Html.Downloads(link, "smooth=" + smoothing.ToString(CultureInfo.InvariantCulture))).Append("</figcaption></figure>\n");
        }
        sb.Append("</section>\n");

        Epochs(sb, d.Epochs, id);
        if (d.Outcome is { } o)
        {
            if (o.Confusion is { } confusion) ClassTable(sb, confusion, o.ClassNames, id);
            Misclassified(sb, o, o.Misclassified.Count == 0 ? null : images.For(t.Definition.ConfigJson).Why, id);
        }
        else sb.Append("<p class=\"note\">No confusion matrix or misclassified examples: the run has no test evaluation (it is not final, it failed, or it diverged).</p>\n");

        ModelSection(sb, Model(d, images, models), charts.FirstOrDefault(c => c.Id == "network").Svg, id);
        sb.Append("<h2>Resolved settings</h2><pre class=\"settings\">").Append(Html.Escape(Pretty(t.Definition.ConfigJson))).Append("</pre>\n");
        return sb.ToString();
    }

    private static (ModelSummary? Summary, string? Why) Model(Data d, TestImages images, ModelSummaries models) =>
        models.For(d.Trial.Definition.ConfigJson, d.Outcome?.ClassNames, images);

    /// <summary>The model summary (as `fcnlab summary` prints it) and the network diagram beside it.</summary>
    private static void ModelSection(StringBuilder sb, (ModelSummary? Summary, string? Why) model, string? diagram, string id)
    {
        sb.Append("<h2>Model</h2>\n");
        if (model.Summary is not { } m)
        {
            sb.Append($"<p class=\"note\" id=\"no-model\">No model summary: {Html.Escape(model.Why)}.</p>\n");
            return;
        }
        static string Shape(IReadOnlyList<int> shape) => "[" + string.Join(", ", shape) + "]";
        sb.Append("<div class=\"model\"><table class=\"model-summary\" id=\"model-summary\"><thead><tr><th>#</th><th>Layer</th><th>Output shape</th><th>Parameters</th><th>FLOPs</th></tr></thead><tbody>\n")
          .Append($"<tr><td></td><td>input</td><td>{Shape(m.InputShape)}</td><td></td><td></td></tr>\n");
        foreach (var l in m.Layers)
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"num\">{l.Index}</td><td>{Html.Escape(l.Layer)}</td><td>{Shape(l.OutputShape)}</td><td class=\"num\">{l.Parameters:N0}</td><td class=\"num\">{l.Flops:N0}</td></tr>\n");
        sb.Append(CultureInfo.InvariantCulture, $"</tbody><tfoot><tr><td></td><td>total</td><td></td><td class=\"num\">{m.Parameters:N0}</td><td class=\"num\">{m.Flops:N0}</td></tr></tfoot></table>\n")
          .Append("<p class=\"note\">FLOPs: forward, per sample, 2 x multiply-adds of the convolutions and dense layers.</p>\n");
        if (diagram != null)
            sb.Append($"<figure class=\"chart\" id=\"chart-network\">{diagram}<figcaption>{Html.Downloads($"/runs/{id}/charts/network", "")}</figcaption></figure>\n");
        sb.Append("</div>\n");
    }

    private static void Item(StringBuilder sb, string name, string value, string? cls = null) =>
        sb.Append($"<dt>{Html.Escape(name)}</dt><dd{(cls == null ? "" : $" class=\"{cls}\"")}>{Html.Escape(value)}</dd>");

    private static void Epochs(StringBuilder sb, IReadOnlyList<EpochMetrics> epochs, string id)
    {
        sb.Append($"<h2>Epochs</h2><p><a href=\"/runs/{id}/epochs.csv\" download>CSV</a></p><table class=\"epochs\" id=\"epochs\"><thead><tr><th>Epoch</th><th>Train loss</th><th>Train acc.</th><th>Val. loss</th><th>Val. acc.</th><th>LR</th><th>Seconds</th></tr></thead><tbody>\n");
        foreach (var e in epochs)
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"num\">{e.Epoch}</td><td class=\"num\">{Html.Num(e.TrainLoss, "F4")}</td><td class=\"num\">{Html.Percent(e.TrainAccuracy)}</td><td class=\"num\">{Html.Num(e.ValLoss, "F4")}</td><td class=\"num\">{Html.Percent(e.ValAccuracy)}</td><td class=\"num\">{Html.Num(e.Lr)}</td><td class=\"num\">{Html.Num(e.Seconds, "F2")}</td></tr>\n");
        sb.Append("</tbody></table>\n");
    }

    public static string EpochsCsv(IReadOnlyList<EpochMetrics> epochs)
    {
        var sb = new StringBuilder("epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds\n");
        foreach (var e in epochs)
            sb.Append(CultureInfo.InvariantCulture, $"{e.Epoch},{Html.Num(e.TrainLoss, "R")},{Html.Num(e.TrainAccuracy, "R")},{Html.Num(e.ValLoss, "R")},{Html.Num(e.ValAccuracy, "R")},{Html.Num(e.Lr, "R")},{Html.Num(e.Seconds, "R")}\n");
        return sb.ToString();
    }

    private static void ClassTable(StringBuilder sb, long[,] confusion, IReadOnlyList<string> names, string id)
    {
        sb.Append($"<h2>Per-class precision, recall and F1 (test set)</h2><p><a href=\"/runs/{id}/classes.csv\" download>CSV</a></p><table class=\"classes\" id=\"classes\"><thead><tr><th>Class</th><th>Support</th><th>Precision</th><th>Recall</th><th>F1</th></tr></thead><tbody>\n");
        foreach (var c in ClassMetrics.Of(confusion, names))
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.Escape(c.Name)}</td><td class=\"num\">{c.Support}</td><td class=\"num\">{Html.Percent(c.Precision)}</td><td class=\"num\">{Html.Percent(c.Recall)}</td><td class=\"num\">{Html.Percent(c.F1)}</td></tr>\n");
        sb.Append("</tbody></table>\n");
    }

    /// <summary>The per-class table as CSV (class,support,precision,recall,f1; fractions, empty where undefined).</summary>
    public static string ClassesCsv(TrialOutcome? outcome)
    {
        var sb = new StringBuilder("class,support,precision,recall,f1\n");
        if (outcome?.Confusion is { } confusion)
            foreach (var c in ClassMetrics.Of(confusion, outcome.ClassNames))
            {
                string F(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";
                sb.Append(RunsPage.CsvCell(c.Name)).Append(CultureInfo.InvariantCulture, $",{c.Support},{F(c.Precision)},{F(c.Recall)},{F(c.F1)}\n");
            }
        return sb.ToString();
    }

    private static void Misclassified(StringBuilder sb, TrialOutcome o, string? whyNoImages, string id)
    {
        const int Shown = 100;
        sb.Append(CultureInfo.InvariantCulture, $"<h2>Misclassified test examples ({o.Misclassified.Count})</h2><p><a href=\"/runs/{id}/misclassified.csv\" download>CSV</a> (all of them)</p>")
          .Append(whyNoImages == null
              ? "<p class=\"note\">The images are drawn above (the first 36) from the data directory the run recorded.</p>"
              : $"<p class=\"note\" id=\"no-images\">No images: the run's test data cannot be read here ({Html.Escape(whyNoImages)}). Their indices into the test set, true and predicted classes:</p>")
          .Append("<table class=\"misclassified\"><thead><tr><th>Index</th><th>True</th><th>Predicted</th></tr></thead><tbody>\n");
        string Name(int c) => c < o.ClassNames.Count ? o.ClassNames[c] : c.ToString(CultureInfo.InvariantCulture);
        foreach (var m in o.Misclassified.Take(Shown))
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"num\">{m.Index}</td><td>{Html.Escape(Name(m.TrueClass))}</td><td>{Html.Escape(Name(m.PredictedClass))}</td></tr>\n");
        sb.Append("</tbody></table>\n");
        if (o.Misclassified.Count > Shown) sb.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">The first {Shown} of {o.Misclassified.Count}.</p>\n");
    }

    /// <summary>Every misclassified test example as CSV: index into the test set, true and predicted class (number and name).</summary>
    public static string MisclassifiedCsv(TrialOutcome? outcome)
    {
        var sb = new StringBuilder("index,true_class,true_name,predicted_class,predicted_name\n");
        if (outcome == null) return sb.ToString();
        string Name(int c) => c < outcome.ClassNames.Count ? outcome.ClassNames[c] : "";
        foreach (var m in outcome.Misclassified)
            sb.Append(CultureInfo.InvariantCulture, $"{m.Index},{m.TrueClass},").Append(RunsPage.CsvCell(Name(m.TrueClass)))
              .Append(CultureInfo.InvariantCulture, $",{m.PredictedClass},").Append(RunsPage.CsvCell(Name(m.PredictedClass))).Append('\n');
        return sb.ToString();
    }

    private static string Pretty(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(doc.RootElement, new JsonSerializerOptions { WriteIndented = true });
        }
        catch (JsonException)
        {
            return json;
        }
    }
}
