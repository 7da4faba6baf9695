using FcnLab.Engine.Training;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;

namespace FcnLab.Lab.Reports;

/// <summary>`fcnlab reproduce`: each published number of a study beside what FcnLab's trials of that grid point reached.</summary>
public static class StudyComparison
{
    /// <summary>Our number for each published one (<see cref="PublishedRow.Metrics"/>), in the study's units: accuracies in percent.</summary>
    private static readonly Dictionary<string, Func<RunSummary, double?>> Ours = new()
    {
        ["test_acc"] = s => s.TestAccuracy * 100,
        ["start_val_acc"] = s => s.StartValAccuracy * 100,
        ["best_val_acc"] = s => s.BestValAccuracy * 100,
        ["best_val_epoch"] = s => s.BestValEpoch,
        ["lowest_train_loss"] = s => s.LowestTrainLoss,
        ["lowest_train_loss_epoch"] = s => s.LowestTrainLossEpoch,
    };

    /// <summary>The published metrics, in table order: the name, how to read it from a published row and from one of our runs.</summary>
    public static readonly IReadOnlyList<(string Name, Func<PublishedRow, double?> Published, Func<RunSummary, double?> Ours)> Metrics =
        PublishedRow.Metrics.Select(m => (m.Key, m.Value, Ours[m.Key])).ToList();

    /// <summary>Rows metric by metric (test accuracy first), published row by published row within each.</summary>
    public static IReadOnlyList<ComparisonRow> Compare(StudyInfo study, SweepResults results)
    {
        var rows = new List<ComparisonRow>();
        foreach (var (metric, publishedValue, oursValue) in Metrics)
        {
            foreach (var published in study.Published)
            {
                if (publishedValue(published) is not { } p) continue;
                var trials = results.Trials.Where(t => Matches(t.Trial.Definition.Point, published.Point)).ToList();
                var finished = trials.Where(t => t.Trial.Status is RunStatus.Completed or RunStatus.EarlyStopped && t.Trial.Summary != null).ToList();
                var stat = Stat.Of(finished.Select(t => oursValue(t.Trial.Summary!)));
                string status = trials.Count == 0 ? "not run"
                    : finished.Count == trials.Count ? "ok"
                    : string.Join(", ", trials.GroupBy(t => t.Trial.Status.ToText()).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"));
                var point = results.AxisSettings.Select(a => new KeyValuePair<string, string>(a, published.Point.TryGetValue(a, out var v) ? v : "")).ToList();
                rows.Add(new ComparisonRow(point, metric, p, stat?.Mean, stat?.Std, stat?.Count ?? 0, status));
            }
        }
        return rows;
    }

    private static bool Matches(IReadOnlyList<KeyValuePair<string, string>> trialPoint, IReadOnlyDictionary<string, string> published) =>
        published.All(p => trialPoint.Any(t => t.Key == p.Key && SweepGrid.SameValue(t.Value, p.Value)));
}
