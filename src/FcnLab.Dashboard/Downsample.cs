using FcnLab.Lab.Reports.Charts;

namespace FcnLab.Dashboard;

/// <summary>
/// A long series reduced for drawing, never truncated: the points (in x order) split into <c>buckets</c> runs of
/// equal count, each drawn as its first, minimum, maximum and last point, so every spike stays visible and the
/// curve still spans the whole x range.
/// </summary>
internal static class Downsample
{
    public static IReadOnlyList<ChartPoint> MinMax(IReadOnlyList<ChartPoint> points, int buckets)
    {
        if (points.Count <= buckets * 4) return points;
        var result = new List<ChartPoint>(buckets * 4);
        for (int b = 0; b < buckets; b++)
        {
            int from = (int)((long)points.Count * b / buckets), to = (int)((long)points.Count * (b + 1) / buckets);
            if (to <= from) continue;
            int min = from, max = from;
            for (int i = from; i < to; i++)
            {
                if (!(points[i].Y >= points[min].Y)) min = i; // NaN counts as a minimum, so a gap is kept
                if (points[i].Y > points[max].Y) max = i;
            }
            foreach (int i in new SortedSet<int> { from, min, max, to - 1 }) result.Add(points[i]);
        }
        return result;
    }
}
