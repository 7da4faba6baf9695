namespace FcnLab.Lab.Reports.Charts;

/// <summary>A named line of a chart.</summary>
public sealed record Series(string Label, IReadOnlyList<ChartPoint> Points)
{
    /// <summary>The points that can be drawn (finite x and y).</summary>
    public IEnumerable<ChartPoint> Finite => Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y));

    /// <summary>A shaded band drawn under the line in its color (e.g. ± std over repeats); null: none.</summary>
    public IReadOnlyList<BandPoint>? Band { get; init; }
}
