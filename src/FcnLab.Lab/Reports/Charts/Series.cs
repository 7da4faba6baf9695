namespace FcnLab.Lab.Reports.Charts;

/// <summary>One point of a series; a non-finite <see cref="Y"/> is a gap (the line breaks there).</summary>
public readonly record struct ChartPoint(double X, double Y);

/// <summary>A named line of a chart.</summary>
public sealed record Series(string Label, IReadOnlyList<ChartPoint> Points)
{
    /// <summary>The points that can be drawn (finite x and y).</summary>
    public IEnumerable<ChartPoint> Finite => Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y));
}
