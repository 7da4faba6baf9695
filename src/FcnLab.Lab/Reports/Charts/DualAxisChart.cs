namespace FcnLab.Lab.Reports.Charts;

/// <summary>
/// Two series on one x axis with their own y axes, left and right (the first study's figures: training
/// loss on the left, validation accuracy on the right). Each axis is drawn in its series' color.
/// </summary>
public static class DualAxisChart
{
    public static string Render(string title, string xLabel, Series left, string leftLabel, Series right, string rightLabel, bool integerX = true)
    {
        string leftColor = Palette.Color(0), rightColor = Palette.Color(1);
        var frame = new XYFrame(title, [new(left.Label, leftColor, null), new(right.Label, rightColor, null)], rightAxis: true);
        var leftPoints = left.Finite.ToList();
        var rightPoints = right.Finite.ToList();
        var x = Axis.Nice(leftPoints.Concat(rightPoints).Select(p => p.X), integerX);
        var yLeft = Axis.Nice(leftPoints.Select(p => p.Y));
        var yRight = Axis.Nice(rightPoints.Select(p => p.Y));
        frame.XAxis(x, xLabel);
        frame.YAxis(yLeft, leftLabel, color: leftColor);
        frame.YAxis(yRight, rightLabel, right: true, color: rightColor);
        frame.Series(left, x, yLeft, leftColor, null);
        frame.Series(right, x, yRight, rightColor, null);
        if (leftPoints.Count == 0 && rightPoints.Count == 0) frame.NoData("no data");
        frame.Border();
        frame.Legend();
        return frame.ToString();
    }
}
