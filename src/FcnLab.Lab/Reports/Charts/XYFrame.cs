namespace FcnLab.Lab.Reports.Charts;

/// <summary>
/// The frame shared by the line charts: title, plot area with grid, x axis, a left and optionally a right
/// y axis, the series as polylines, and a legend to the right that grows the picture downwards when there
/// are many series.
/// </summary>
internal sealed class XYFrame
{
    private const double Left = 72, Top = 36, PlotWidth = 480, PlotHeight = 280, BottomSpace = 48;
    private const double LegendRow = 16;
    private const int LegendChars = 44;
    /// <summary>The legend lists this many series at most (a sweep of 1,000 configurations would be a picture of its legend), then says how many more.</summary>
    private const int LegendRows = 60;
    /// <summary>Up to this many points per series every point also gets a marker (so one epoch still shows).</summary>
    private const int MarkerLimit = 40;

    private readonly SvgBuilder _svg;
    private readonly bool _rightAxis;
    private readonly IReadOnlyList<LegendEntry> _legend;
    private readonly double _legendX;

    private double PlotRight => Left + PlotWidth;
    private double PlotBottom => Top + PlotHeight;

    public sealed record LegendEntry(string Label, string Color, string? Dash);

    public XYFrame(string title, IReadOnlyList<LegendEntry> legend, bool rightAxis)
    {
        _rightAxis = rightAxis;
        _legend = legend;
        _legendX = PlotRight + (rightAxis ? 70 : 20);
        double longest = legend.Count == 0 ? 0 : legend.Max(e => SvgText.Width(SvgText.Shorten(e.Label, LegendChars), SvgBuilder.FontSize));
        double width = Math.Max(_legendX + 30 + longest + 12, SvgText.Width(title, 14) + 40);
        double height = Math.Max(Top + PlotHeight + BottomSpace, Top + 8 + Math.Min(legend.Count, LegendRows + 1) * LegendRow + 8);
        _svg = new SvgBuilder(width, height, title);
    }

    public void XAxis(Axis x, string label)
    {
        foreach (double t in x.Ticks)
        {
            double px = x.Map(t, Left, PlotRight);
            _svg.Line(px, Top, px, PlotBottom, "#e6e6e6");
            _svg.Line(px, PlotBottom, px, PlotBottom + 5, "#444444");
            _svg.Text(px, PlotBottom + 17, x.Label(t), anchor: "middle");
        }
        _svg.Text(Left + PlotWidth / 2, PlotBottom + 38, label, anchor: "middle", size: 12);
    }

    /// <param name="right">Draws the axis on the right edge (no grid lines: the left axis has them).</param>
    public void YAxis(Axis y, string label, bool right = false, string color = "#222222")
    {
        double edge = right ? PlotRight : Left;
        foreach (double t in y.Ticks)
        {
            double py = y.Map(t, PlotBottom, Top);
            if (!right) _svg.Line(Left, py, PlotRight, py, "#e6e6e6");
            _svg.Line(edge, py, right ? edge + 5 : edge - 5, py, "#444444");
            _svg.Text(right ? edge + 8 : edge - 8, py + 4, y.Label(t), anchor: right ? "start" : "end", fill: color);
        }
        double lx = right ? PlotRight + 60 : 16;
        double ly = Top + PlotHeight / 2;
        _svg.Text(lx, ly, label, anchor: "middle", size: 12, fill: color, rotate: right ? 90 : -90);
    }

    /// <summary>Draws the plot area's border; call after the series so it lies on top.</summary>
    public void Border() => _svg.Rect(Left, Top, PlotWidth, PlotHeight, "none", stroke: "#888888");

    public void Series(Series series, Axis x, Axis y, string color, string? dash)
    {
        var pixels = new List<(double, double)?>(series.Points.Count);
        foreach (var p in series.Points)
            pixels.Add(double.IsFinite(p.X) && double.IsFinite(p.Y) ? (x.Map(p.X, Left, PlotRight), y.Map(p.Y, PlotBottom, Top)) : null);
        _svg.Path(pixels, color, 1.75, dash);

        int finite = pixels.Count(p => p != null);
        for (int i = 0; i < pixels.Count; i++)
        {
            if (pixels[i] is not { } q) continue;
            // An isolated point draws no line segment: give it a marker so it is not lost.
            bool isolated = (i == 0 || pixels[i - 1] == null) && (i == pixels.Count - 1 || pixels[i + 1] == null);
            if (finite <= MarkerLimit || isolated) _svg.Circle(q.Item1, q.Item2, 2.5, color);
        }
    }

    /// <summary>Markers only, no line (a scatter plot's points); non-finite points are left out.</summary>
    public void Points(IEnumerable<ChartPoint> points, Axis x, Axis y, string color, double radius = 3)
    {
        foreach (var p in points)
            if (double.IsFinite(p.X) && double.IsFinite(p.Y))
                _svg.Circle(x.Map(p.X, Left, PlotRight), y.Map(p.Y, PlotBottom, Top), radius, color);
    }

    /// <summary>A translucent band: one polygon per run of finite points (upper edge left to right, lower edge back).</summary>
    public void Band(IReadOnlyList<BandPoint> band, Axis x, Axis y, string color)
    {
        var run = new List<BandPoint>();
        foreach (var b in band.Append(new BandPoint(double.NaN, double.NaN, double.NaN)))
        {
            if (b.IsFinite)
            {
                run.Add(b);
                continue;
            }
            if (run.Count > 0)
            {
                var outline = run.Select(p => (x.Map(p.X, Left, PlotRight), y.Map(p.High, PlotBottom, Top)))
                    .Concat(run.AsEnumerable().Reverse().Select(p => (x.Map(p.X, Left, PlotRight), y.Map(p.Low, PlotBottom, Top))));
                _svg.Polygon([.. outline], color, 0.18);
            }
            run.Clear();
        }
    }

    public void NoData(string message) =>
        _svg.Text(Left + PlotWidth / 2, Top + PlotHeight / 2, message, anchor: "middle", size: 13, fill: "#888888");

    public void Legend()
    {
        for (int i = 0; i < Math.Min(_legend.Count, LegendRows); i++)
        {
            var e = _legend[i];
            double y = Top + 8 + i * LegendRow;
            _svg.Line(_legendX, y, _legendX + 22, y, e.Color, 2.5, e.Dash);
            string shown = SvgText.Shorten(e.Label, LegendChars);
            _svg.Text(_legendX + 28, y + 4, shown, tooltip: shown == e.Label ? null : e.Label);
        }
        if (_legend.Count > LegendRows)
            _svg.Text(_legendX, Top + 8 + LegendRows * LegendRow + 4, $"… and {(_legend.Count - LegendRows).ToString(System.Globalization.CultureInfo.InvariantCulture)} more (the table has every one)", fill: "#555555");
    }

    public override string ToString() => _svg.ToString();
}
