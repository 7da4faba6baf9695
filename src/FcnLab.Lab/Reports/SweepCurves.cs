using FcnLab.Engine.Training;
using FcnLab.Lab.Reports.Charts;

namespace FcnLab.Lab.Reports;

/// <summary>
/// A sweep's learning curves: one series per table row (grid point), its repeats averaged per epoch over
/// the repeats that reached that epoch with a finite value. Every row gets a series, even an empty one, so
/// a configuration keeps its color across the charts.
/// </summary>
internal static class SweepCurves
{
    public static IReadOnlyList<Series> Build(SweepTable table, string fallbackLabel, Func<EpochMetrics, double?> metric, double scale = 1)
    {
        var series = new List<Series>(table.Rows.Count);
        foreach (var row in table.Rows)
        {
            var byEpoch = new SortedDictionary<int, (double Sum, int Count)>();
            foreach (var trial in row.Trials)
                foreach (var e in trial.Epochs)
                {
                    var (sum, count) = byEpoch.GetValueOrDefault(e.Epoch);
                    if (metric(e) is { } v && double.IsFinite(v)) (sum, count) = (sum + v, count + 1);
                    byEpoch[e.Epoch] = (sum, count); // an epoch with no finite value stays as a gap
                }
            var points = byEpoch.Select(kv => new ChartPoint(kv.Key, kv.Value.Count > 0 ? kv.Value.Sum / kv.Value.Count * scale : double.NaN)).ToList();
            string label = row.Label.Length > 0 ? row.Label : fallbackLabel;
            series.Add(new Series(label, points));
        }
        return series;
    }
}
