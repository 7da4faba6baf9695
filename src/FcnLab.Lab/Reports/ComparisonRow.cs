using System.Globalization;

namespace FcnLab.Lab.Reports;

/// <summary>
/// One published number beside ours: accuracies in percent, losses as computed, epochs as numbers; ours
/// as mean ± sample std over the repeats that finished (completed or stopped early).
/// </summary>
public sealed record ComparisonRow(
    IReadOnlyList<KeyValuePair<string, string>> Point,
    string Metric,
    double? Published,
    double? OursMean,
    double? OursStd,
    int OursRuns,
    string OursStatus)
{
    public double? Difference => OursMean - Published;

    /// <summary>Whether the published number lies within two standard deviations of our repeats (null: fewer than two repeats).</summary>
    public bool? WithinTwoStd => OursRuns >= 2 && OursMean is { } m && OursStd is { } s && Published is { } p ? Math.Abs(m - p) <= 2 * s : null;

    /// <summary>The column titles of <see cref="Cells"/> for a sweep over <paramref name="axes"/>.</summary>
    public static IReadOnlyList<string> Header(IEnumerable<string> axes) => ["metric", .. axes, "published", "fcnlab", "diff", "within 2 std"];

    /// <summary>The row as text (`fcnlab reproduce`'s table, the dashboard's): epochs to 1 decimal, losses to 4, accuracies to 2.</summary>
    public IReadOnlyList<string> Cells()
    {
        var inv = CultureInfo.InvariantCulture;
        string format = Metric.EndsWith("_epoch", StringComparison.Ordinal) ? "F1" : Metric.Contains("loss", StringComparison.Ordinal) ? "F4" : "F2";
        string ours = OursMean is { } m
            ? (OursStd is { } sd ? $"{m.ToString(format, inv)} ± {sd.ToString(format, inv)}" : m.ToString(format, inv)) + (OursStatus == "ok" ? "" : $" ({OursStatus})")
            : OursStatus;
        return [Metric, .. Point.Select(p => p.Value),
            Published is { } p ? p.ToString(format == "F1" ? "F0" : format, inv) : "-",
            ours,
            Difference is { } d ? d.ToString(format == "F4" ? "+0.0000;-0.0000" : "+0.00;-0.00", inv) : "-",
            WithinTwoStd switch { true => "yes", false => "no", null => "-" }];
    }
}
