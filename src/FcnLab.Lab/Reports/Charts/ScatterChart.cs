namespace FcnLab.Lab.Reports.Charts;

/// <summary>
/// Points against one x and one y axis, in groups with a legend: a search's slice plots (one setting
/// against the objective, completed trials in color, pruned ones grey). Muted groups are drawn first, so
/// the colored points lie on top.
/// </summary>
public static class ScatterChart
{
    /// <summary>The grey of muted points and lines (pruned trials).</summary>
    public const string MutedColor = "#b8b8b8";

    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<ScatterGroup> groups, bool integerX = false)
    {
        var colors = new string[groups.Count];
        for (int i = 0, shown = 0; i < groups.Count; i++) colors[i] = groups[i].Muted ? MutedColor : Palette.Color(shown++);
        var legend = groups.Select((g, i) => new XYFrame.LegendEntry(g.Label, colors[i], null)).ToList();
        var frame = new XYFrame(title, legend, rightAxis: false);
        var finite = groups.SelectMany(g => g.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        var x = Axis.Nice(finite.Select(p => p.X), integerX);
        var y = Axis.Nice(finite.Select(p => p.Y));
        frame.XAxis(x, xLabel);
        frame.YAxis(y, yLabel);
        foreach (bool muted in (ReadOnlySpan<bool>)[true, false])
            for (int i = 0; i < groups.Count; i++)
                if (groups[i].Muted == muted) frame.Points(groups[i].Points, x, y, colors[i]);
        if (finite.Count == 0) frame.NoData("no data");
        frame.Border();
        frame.Legend();
        return frame.ToString();
    }
}
