using FcnLab.Engine.Training;
using FcnLab.Lab.Reports.Charts;

namespace FcnLab.Lab.Reports;

/// <summary>
/// A sweep's learning curves: one series per table row (grid point), its repeats averaged per epoch over
/// the repeats that reached that epoch with a finite value, with a ± 1 sample-std band where at least two
/// did. Every row gets a series, even an empty one, so a configuration keeps its color across the charts.
/// </summary>
internal static class SweepCurves
{
    public static IReadOnlyList<Series> Build(SweepTable table, string fallbackLabel, Func<EpochMetrics, double?> metric, double scale = 1, string labelSuffix = "")
    {
        var series = new List<Series>(table.Rows.Count);
        foreach (var row in table.Rows)
        {
            string label = (row.Label.Length > 0 ? row.Label : fallbackLabel) + labelSuffix;
            series.Add(Row(row, label, metric, scale));
        }
        return series;
    }

    /// <summary>One row's mean curve (and band) of <paramref name="metric"/>, values multiplied by <paramref name="scale"/>.</summary>
    public static Series Row(SweepTableRow row, string label, Func<EpochMetrics, double?> metric, double scale = 1)
    {
        var byEpoch = new SortedDictionary<int, List<double?>>();
        foreach (var trial in row.Trials)
            foreach (var e in trial.Epochs)
            {
                if (!byEpoch.TryGetValue(e.Epoch, out var values)) byEpoch[e.Epoch] = values = [];
                values.Add(metric(e)); // an epoch with no finite value stays as a gap
            }
        var stats = byEpoch.Select(kv => (Epoch: kv.Key, Stat: Stat.Of(kv.Value))).ToList();
        var points = stats.Select(s => new ChartPoint(s.Epoch, s.Stat is { } st ? st.Mean * scale : double.NaN)).ToList();
        var band = stats.Select(s => s.Stat is { Std: { } sd } st
            ? new BandPoint(s.Epoch, (st.Mean - sd) * scale, (st.Mean + sd) * scale)
            : new BandPoint(s.Epoch, double.NaN, double.NaN)).ToList();
        return new Series(label, points) { Band = band.Any(b => b.IsFinite) ? band : null };
    }
}
