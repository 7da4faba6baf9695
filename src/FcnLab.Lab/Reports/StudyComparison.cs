using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;

namespace FcnLab.Lab.Reports;

/// <summary>One published row beside ours: test accuracy in percent, ours as mean ± sample std over the repeats that finished.</summary>
public sealed record ComparisonRow(
    IReadOnlyList<KeyValuePair<string, string>> Point,
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

/// <summary>`fcnlab reproduce`: each published row of a study beside what FcnLab's trials of that grid point reached.</summary>
public static class StudyComparison
{
    public static IReadOnlyList<ComparisonRow> Compare(StudyInfo study, SweepResults results)
    {
        var rows = new List<ComparisonRow>();
        foreach (var published in study.Published)
        {
            var trials = results.Trials.Where(t => Matches(t.Trial.Definition.Point, published.Point)).ToList();
            var accs = trials
                .Where(t => t.Trial.Status is TrialStatus.Completed or TrialStatus.EarlyStopped && t.Trial.Summary?.TestAccuracy is not null)
                .Select(t => t.Trial.Summary!.TestAccuracy!.Value * 100).ToList();
            double? mean = accs.Count > 0 ? accs.Average() : null;
            double? std = accs.Count > 1 ? Math.Sqrt(accs.Sum(a => (a - mean!.Value) * (a - mean.Value)) / (accs.Count - 1)) : null;
            string status = trials.Count == 0 ? "not run"
                : accs.Count == trials.Count ? "ok"
                : string.Join(", ", trials.GroupBy(t => t.Trial.Status).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"));
            var point = results.AxisSettings.Select(a => new KeyValuePair<string, string>(a, published.Point.TryGetValue(a, out var v) ? v : "")).ToList();
            rows.Add(new ComparisonRow(point, published.TestAccuracy, mean, std, accs.Count, status));
        }
        return rows;
    }

    private static bool Matches(IReadOnlyList<KeyValuePair<string, string>> trialPoint, IReadOnlyDictionary<string, string> published) =>
        published.All(p => trialPoint.Any(t => t.Key == p.Key && SweepGrid.SameValue(t.Value, p.Value)));
}
