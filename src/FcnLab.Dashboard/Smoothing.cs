using FcnLab.Lab.Reports.Charts;

namespace FcnLab.Dashboard;

/// <summary>
/// Debiased exponential moving average, as TensorBoard draws smoothed curves: s_t = w s_{t-1} + (1 - w) y_t from
/// s_0 = 0, divided by (1 - w^t) so the first values are not pulled towards zero. Non-finite values are skipped.
/// </summary>
internal static class Smoothing
{
    public static IReadOnlyList<ChartPoint> DebiasedEma(IReadOnlyList<ChartPoint> points, double weight)
    {
        if (weight is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(weight), weight, "the smoothing weight is from 0 (none) to below 1");
        var result = new List<ChartPoint>(points.Count);
        double last = 0;
        int n = 0;
        foreach (var p in points)
        {
            if (!double.IsFinite(p.Y)) { result.Add(p); continue; }
            n++;
            last = weight * last + (1 - weight) * p.Y;
            double debias = 1 - Math.Pow(weight, n);
            result.Add(new ChartPoint(p.X, debias > 0 ? last / debias : p.Y));
        }
        return result;
    }
}
