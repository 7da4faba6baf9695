namespace FcnLab.Lab.Reports.Charts;

/// <summary>
/// Every trial's curve of one metric against epochs on one chart: completed trials in color, pruned trials
/// grey and under them, the best trial on top in its own color. The legend names the three groups, not
/// every trial (a search has hundreds).
/// </summary>
public static class TrialCurvesChart
{
    private const string CompletedColor = "#1f77b4", BestColor = "#d62728";

    /// <param name="curves">Each trial's points and whether it was pruned.</param>
    /// <param name="best">The index in <paramref name="curves"/> of the best trial, or null.</param>
    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<(IReadOnlyList<ChartPoint> Points, bool Pruned)> curves, int? best, string bestLabel)
    {
        int pruned = curves.Count(c => c.Pruned), completed = curves.Count - pruned;
        var legend = new List<XYFrame.LegendEntry>
        {
            new($"completed ({completed})", CompletedColor, null),
            new($"pruned ({pruned})", ScatterChart.MutedColor, null),
        };
        if (best != null) legend.Add(new(bestLabel, BestColor, null));
        var frame = new XYFrame(title, legend, rightAxis: false);
        var finite = curves.SelectMany(c => c.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        var x = Axis.Nice(finite.Select(p => p.X), integerSteps: true);
        var y = Axis.Nice(finite.Select(p => p.Y));
        frame.XAxis(x, xLabel);
        frame.YAxis(y, yLabel);
        foreach (bool isPruned in (ReadOnlySpan<bool>)[true, false])
            for (int i = 0; i < curves.Count; i++)
                if (curves[i].Pruned == isPruned && i != best)
                    frame.Series(new Series("", curves[i].Points), x, y, isPruned ? ScatterChart.MutedColor : CompletedColor, null);
        if (best is int b) frame.Series(new Series("", curves[b].Points), x, y, BestColor, null);
        if (finite.Count == 0) frame.NoData("no data");
        frame.Border();
        frame.Legend();
        return frame.ToString();
    }
}
