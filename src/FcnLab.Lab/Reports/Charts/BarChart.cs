using System.Globalization;

namespace FcnLab.Lab.Reports.Charts;

/// <summary>Horizontal bars with their labels on the left and values on the right, largest first as given: a search's setting importances.</summary>
public static class BarChart
{
    private const double LabelChars = 36, BarWidth = 360, Row = 24, Top = 36, Bottom = 16;

    /// <param name="bars">Labels and values in [0, <paramref name="max"/>], drawn in the order given.</param>
    /// <param name="percent">Values written beside their bars as whole percentages ("60%"), else with 3 significant digits.</param>
    public static string Render(string title, IReadOnlyList<(string Label, double Value)> bars, double max = 1, bool percent = true)
    {
        double labelWidth = bars.Count == 0 ? 0 : bars.Max(b => SvgText.Width(SvgText.Shorten(b.Label, (int)LabelChars), SvgBuilder.FontSize));
        double left = 16 + labelWidth + 8;
        double width = Math.Max(left + BarWidth + 60, SvgText.Width(title, 14) + 40);
        double height = Top + Math.Max(1, bars.Count) * Row + Bottom;
        var svg = new SvgBuilder(width, height, title);
        if (bars.Count == 0)
        {
            svg.Rect(left, Top, BarWidth, Row, "none", stroke: "#888888");
            svg.Text(left + BarWidth / 2, Top + Row / 2 + 4, "no data", anchor: "middle", size: 13, fill: "#888888");
        }
        for (int i = 0; i < bars.Count; i++)
        {
            var (label, value) = bars[i];
            double y = Top + i * Row;
            string shown = SvgText.Shorten(label, (int)LabelChars);
            svg.Text(left - 8, y + Row / 2 + 4, shown, anchor: "end", tooltip: shown == label ? null : label);
            double w = double.IsFinite(value) && max > 0 ? Math.Clamp(value / max, 0, 1) * BarWidth : 0;
            svg.Rect(left, y + 4, w, Row - 8, Palette.Color(0));
            svg.Text(left + w + 6, y + Row / 2 + 4, !double.IsFinite(value) ? "n/a"
                : percent ? (value * 100).ToString("F0", CultureInfo.InvariantCulture) + "%" : value.ToString("G3", CultureInfo.InvariantCulture));
        }
        return svg.ToString();
    }
}
