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
}
