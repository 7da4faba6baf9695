using System.Globalization;
using System.Text;
using FcnLab.Engine.Training;
using FcnLab.Lab.Reports.Charts;

namespace FcnLab.Lab.Reports;

/// <summary>
/// A sweep's results table in the studies' format: one row per grid point (repeats pooled), one column per
/// swept setting, then Test Acc., Starting Val. Acc., Highest Val. Acc. (epoch), Lowest Train Loss (epoch)
/// and Runs. Values are mean ± sample std over the completed repeats. Rows keep grid order (first
/// appearance of each point among the trials). Rendered as Markdown, CSV (raw numbers) or an HTML table.
/// </summary>
public sealed class SweepTable
{
    public const string TestAccHeader = "Test Acc.";
    public const string StartValAccHeader = "Starting Val. Acc.";
    public const string BestValAccHeader = "Highest Val. Acc. (epoch)";
    public const string LowestTrainLossHeader = "Lowest Train Loss (epoch)";
    public const string RunsHeader = "Runs";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The setting columns: the sweep's axes, then any other setting a trial's point names.</summary>
    public IReadOnlyList<string> Settings { get; }
    public IReadOnlyList<SweepTableRow> Rows { get; }
    public SweepTableRow? Best => Rows.FirstOrDefault(r => r.IsBest);

    private SweepTable(IReadOnlyList<string> settings, IReadOnlyList<SweepTableRow> rows)
    {
        Settings = settings;
        Rows = rows;
    }

    public static SweepTable Build(SweepResults results)
    {
        var settings = new List<string>(results.AxisSettings);
        var groups = new List<List<TrialResult>>();
        var byKey = new Dictionary<string, List<TrialResult>>(StringComparer.Ordinal);
        foreach (var t in results.Trials)
        {
            foreach (var p in t.Trial.Definition.Point)
                if (!settings.Contains(p.Key)) settings.Add(p.Key);
            string key = PointKey(t.Trial.Definition.Point);
            if (!byKey.TryGetValue(key, out var group))
            {
                group = [];
                byKey.Add(key, group);
                groups.Add(group);
            }
            group.Add(t);
        }

        var rows = groups.Select(BuildRow).ToList();
        int best = -1;
        for (int i = 0; i < rows.Count; i++)
            if (rows[i].TestAccuracy is { } acc && (best < 0 || acc.Mean > rows[best].TestAccuracy!.Mean)) best = i;
        if (best >= 0) rows[best] = rows[best] with { IsBest = true };
        return new SweepTable(settings, rows);
    }

    private static SweepTableRow BuildRow(List<TrialResult> trials)
    {
        var done = trials.Where(t => SweepTableRow.IsCompleted(t.Trial.Status)).Select(SummaryOf).OfType<RunSummary>().ToList();
        var divergedEpochs = trials
            .Where(t => t.Trial.Status == RunStatus.Diverged)
            .Select(t => SummaryOf(t)?.DivergedEpoch)
            .OfType<int>().Distinct().Order().ToList();
        return new SweepTableRow
        {
            Point = trials[0].Trial.Definition.Point,
            Trials = trials,
            TestAccuracy = Stat.Of(done.Select(s => s.TestAccuracy)),
            StartValAccuracy = Stat.Of(done.Select(s => s.StartValAccuracy)),
            BestValAccuracy = Stat.Of(done.Select(s => s.BestValAccuracy)),
            BestValEpoch = Stat.Of(done.Select(s => (double?)s.BestValEpoch)),
            LowestTrainLoss = Stat.Of(done.Select(s => s.LowestTrainLoss)),
            LowestTrainLossEpoch = Stat.Of(done.Select(s => (double?)s.LowestTrainLossEpoch)),
            DivergedEpochs = divergedEpochs,
        };
    }

    /// <summary>The outcome's summary when there is one, else the one on the trial record.</summary>
    internal static RunSummary? SummaryOf(TrialResult t) => t.Outcome?.Summary ?? t.Trial.Summary;

    /// <summary>Grouping key: the point's pairs in setting order, so the order the point lists them in does not matter.</summary>
    private static string PointKey(IReadOnlyList<KeyValuePair<string, string>> point) =>
        string.Join("\u001f", point.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "\u001e" + p.Value));

    // ---- display text, shared by Markdown and HTML ----

    internal IReadOnlyList<string> Headers() =>
        [.. Settings, TestAccHeader, StartValAccHeader, BestValAccHeader, LowestTrainLossHeader, RunsHeader];

    internal IReadOnlyList<string> Cells(SweepTableRow row) =>
    [
        .. Settings.Select(row.Setting),
        row.TestAccuracy is { } acc ? Percent(acc) : StatusText(row),
        row.StartValAccuracy is { } start ? Percent(start) : Missing,
        row.BestValAccuracy is { } bestVal ? $"{Percent(bestVal)} ({Epoch(row.BestValEpoch)})" : Missing,
        row.LowestTrainLoss is { } loss ? $"{Fixed(loss, 4, 1)} ({Epoch(row.LowestTrainLossEpoch)})" : Missing,
        RunsText(row),
    ];

    private const string Missing = "—";

    private static string Percent(Stat s) => Fixed(s, 2, 100) + "%";

    /// <summary>"m" or "m ± s" with <paramref name="decimals"/> decimals, values multiplied by <paramref name="scale"/>.</summary>
    private static string Fixed(Stat s, int decimals, double scale)
    {
        string f = "F" + decimals.ToString(Inv);
        string mean = (s.Mean * scale).ToString(f, Inv);
        return s.Std is { } sd ? $"{mean} ± {(sd * scale).ToString(f, Inv)}" : mean;
    }

    /// <summary>An epoch, or the mean epoch over repeats (one decimal where it is not whole).</summary>
    private static string Epoch(Stat? e) => e == null ? "?" : e.Mean.ToString("0.#", Inv);

    /// <summary>What a row without a completed test accuracy shows in the Test Acc. column.</summary>
    private static string StatusText(SweepTableRow row)
    {
        if (row.Completed > 0) return "n/a";
        if (row.Running > 0) return "running";
        if (row.Pending > 0) return "pending";
        if (row.Diverged > 0) return DivergedText(row.DivergedEpochs);
        if (row.Failed > 0) return "failed";
        return Missing;
    }

    private static string DivergedText(IReadOnlyList<int> epochs) => epochs.Count switch
    {
        0 => "diverged",
        1 => $"diverged (epoch {epochs[0].ToString(Inv)})",
        _ => $"diverged (epochs {string.Join(", ", epochs.Select(e => e.ToString(Inv)))})",
    };

    /// <summary>"completed / total", then the repeats in other states, e.g. "2 / 3 (1 failed)".</summary>
    private static string RunsText(SweepTableRow row)
    {
        var others = new List<string>();
        if (row.Diverged > 0) others.Add($"{row.Diverged.ToString(Inv)} diverged");
        if (row.Failed > 0) others.Add($"{row.Failed.ToString(Inv)} failed");
        if (row.Running > 0) others.Add($"{row.Running.ToString(Inv)} running");
        if (row.Pending > 0) others.Add($"{row.Pending.ToString(Inv)} pending");
        string text = $"{row.Completed.ToString(Inv)} / {row.Total.ToString(Inv)}";
        return others.Count == 0 ? text : $"{text} ({string.Join(", ", others)})";
    }

    // ---- renderings ----

    /// <summary>A GitHub table; the best row carries **best** in a trailing column.</summary>
    public string ToMarkdown()
    {
        var headers = Headers();
        var sb = new StringBuilder();
        sb.Append("| ").Append(string.Join(" | ", headers.Select(MarkdownCell))).Append(" | Best |\n");
        sb.Append('|');
        for (int i = 0; i < headers.Count; i++) sb.Append(i < Settings.Count ? " --- |" : " ---: |");
        sb.Append(" --- |\n");
        foreach (var row in Rows)
            sb.Append("| ").Append(string.Join(" | ", Cells(row).Select(MarkdownCell))).Append(row.IsBest ? " | **best** |\n" : " |  |\n");
        return sb.ToString();
    }

    private static string MarkdownCell(string text) =>
        text.Length == 0 ? " " : text.Replace("\\", "\\\\").Replace("|", "\\|").Replace('\n', ' ').Replace('\r', ' ');

    public static IReadOnlyList<string> CsvMetricColumns { get; } =
    [
        "runs_total", "runs_completed", "runs_diverged", "runs_failed", "runs_running", "runs_pending",
        "test_acc_frac_mean", "test_acc_frac_std", "start_val_acc_frac_mean", "start_val_acc_frac_std",
        "best_val_acc_frac_mean", "best_val_acc_frac_std", "best_val_epoch_mean",
        "lowest_train_loss_mean", "lowest_train_loss_std", "lowest_train_loss_epoch_mean",
        "diverged_epochs", "best",
    ];

    /// <summary>
    /// Machine-readable: the setting columns, then <see cref="CsvMetricColumns"/>. Accuracies are fractions
    /// (0..1, "_frac" in the name), numbers round-trip exactly, a missing value is an empty field, a std of a
    /// single run is empty, diverged_epochs is ';'-separated, best is true/false.
    /// </summary>
    public string ToCsv()
    {
        var sb = new StringBuilder();
        sb.Append(string.Join(",", Settings.Concat(CsvMetricColumns).Select(CsvField))).Append('\n');
        foreach (var row in Rows)
        {
            var fields = new List<string>(Settings.Select(row.Setting))
            {
                Int(row.Total), Int(row.Completed), Int(row.Diverged), Int(row.Failed), Int(row.Running), Int(row.Pending),
                Num(row.TestAccuracy?.Mean), Num(row.TestAccuracy?.Std),
                Num(row.StartValAccuracy?.Mean), Num(row.StartValAccuracy?.Std),
                Num(row.BestValAccuracy?.Mean), Num(row.BestValAccuracy?.Std), Num(row.BestValEpoch?.Mean),
                Num(row.LowestTrainLoss?.Mean), Num(row.LowestTrainLoss?.Std), Num(row.LowestTrainLossEpoch?.Mean),
                string.Join(";", row.DivergedEpochs.Select(Int)),
                row.IsBest ? "true" : "false",
            };
            sb.Append(string.Join(",", fields.Select(CsvField))).Append('\n');
        }
        return sb.ToString();
    }

    private static string Int(int v) => v.ToString(Inv);
    private static string Num(double? v) => v is { } x ? x.ToString("R", Inv) : "";

    /// <summary>RFC 4180: quote a field holding a comma, quote, line break or edge space (settings like "1200,2000,800").</summary>
    internal static string CsvField(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) >= 0 || s.Trim() != s ? $"\"{s.Replace("\"", "\"\"")}\"" : s;

    /// <summary>An HTML table (class "sweep"); the best row has class "best" and "best" in its last column.</summary>
    public string ToHtml()
    {
        var headers = Headers();
        var sb = new StringBuilder("<table class=\"sweep\">\n<thead><tr>");
        for (int i = 0; i < headers.Count; i++)
            sb.Append(i < Settings.Count ? "<th>" : "<th class=\"num\">").Append(SvgText.Escape(headers[i])).Append("</th>");
        sb.Append("<th>Best</th></tr></thead>\n<tbody>\n");
        foreach (var row in Rows)
        {
            sb.Append(row.IsBest ? "<tr class=\"best\">" : "<tr>");
            var cells = Cells(row);
            for (int i = 0; i < cells.Count; i++)
                sb.Append(i < Settings.Count ? "<td>" : "<td class=\"num\">").Append(SvgText.Escape(cells[i])).Append("</td>");
            sb.Append(row.IsBest ? "<td>best</td>" : "<td></td>").Append("</tr>\n");
        }
        sb.Append("</tbody>\n</table>\n");
        return sb.ToString();
    }
}
