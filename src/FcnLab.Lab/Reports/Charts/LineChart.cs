namespace FcnLab.Lab.Reports.Charts;

/// <summary>
/// Lines against one x axis and one y axis with a legend: a sweep's curves (one line per configuration)
/// or one run's training against validation loss, each with an optional shaded band. Non-finite values are gaps.
/// </summary>
public static class LineChart
{
    /// <param name="integerX">Ticks on whole x values only (epochs).</param>
    /// <param name="paired">Series 2k and 2k + 1 are one configuration's training and validation curves: one color, the second dashed.</param>
    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<Series> series, bool integerX = true, bool paired = false)
    {
        string Color(int i) => Palette.Color(paired ? i / 2 : i);
        string? Dash(int i) => !paired ? Palette.Dash(i) : i % 2 == 0 ? Palette.Dash(i / 2) : "5 3";
        var legend = series.Select((s, i) => new XYFrame.LegendEntry(s.Label, Color(i), Dash(i))).ToList();
        var frame = new XYFrame(title, legend, rightAxis: false);
        var finite = series.SelectMany(s => s.Finite).ToList();
        var x = Axis.Nice(finite.Select(p => p.X), integerX);
        var bands = series.SelectMany(s => s.Band ?? []).Where(b => b.IsFinite).ToList();
        var y = Axis.Nice(finite.Select(p => p.Y).Concat(bands.SelectMany(b => new[] { b.Low, b.High })));
        frame.XAxis(x, xLabel);
        frame.YAxis(y, yLabel);
        for (int i = 0; i < series.Count; i++)
            if (series[i].Band is { } band) frame.Band(band, x, y, Color(i)); // under every line
        for (int i = 0; i < series.Count; i++) frame.Series(series[i], x, y, Color(i), Dash(i));
        if (finite.Count == 0) frame.NoData("no data");
        frame.Border();
        frame.Legend();
        return frame.ToString();
    }
}
