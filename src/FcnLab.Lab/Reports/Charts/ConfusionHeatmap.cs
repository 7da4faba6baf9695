using System.Globalization;

namespace FcnLab.Lab.Reports.Charts;

/// <summary>
/// A confusion matrix as a heat map: rows are true classes, columns predicted classes, class names on both
/// axes and the count in every cell. A cell's shade is its share of the true class (the row), so classes of
/// different sizes compare fairly; a color bar explains the shade.
/// </summary>
public static class ConfusionHeatmap
{
    private const int NameChars = 22;

    public static string Render(string title, long[,] confusion, IReadOnlyList<string> classNames)
    {
        int rows = confusion.GetLength(0), cols = confusion.GetLength(1);
        int n = Math.Max(rows, cols);
        double cell = n <= 10 ? 46 : Math.Max(16, 460.0 / n);
        double cellFont = Math.Min(11, cell * 0.32);
        double nameWidth = Enumerable.Range(0, n).Select(i => SvgText.Width(Name(classNames, i), SvgBuilder.FontSize)).DefaultIfEmpty(0).Max();
        double left = 40 + nameWidth, top = 44;
        double gridW = cols * cell, gridH = rows * cell;
        // Column names are rotated by -45 degrees: they take about 0.71 of their length downwards.
        double bottom = top + gridH + 12 + nameWidth * 0.71 + 36;
        double barX = left + gridW + 24;
        double width = Math.Max(barX + 90, SvgText.Width(title, 14) + 40);
        var svg = new SvgBuilder(width, bottom, title);

        for (int i = 0; i < rows; i++)
        {
            long total = 0;
            for (int j = 0; j < cols; j++) total += confusion[i, j];
            for (int j = 0; j < cols; j++)
            {
                long count = confusion[i, j];
                double share = total > 0 ? (double)count / total : 0;
                double x = left + j * cell, y = top + i * cell;
                string tip = string.Format(CultureInfo.InvariantCulture, "true: {0}, predicted: {1}: {2} ({3:F1}% of the true class)",
                    Name(classNames, i), Name(classNames, j), count, share * 100);
                svg.Rect(x, y, cell, cell, Shade(share), stroke: "#ffffff", tooltip: tip);
                svg.Text(x + cell / 2, y + cell / 2 + cellFont * 0.35, count.ToString(CultureInfo.InvariantCulture),
                    anchor: "middle", size: cellFont, fill: share > 0.5 ? "#ffffff" : "#222222");
            }
        }
        for (int i = 0; i < rows; i++)
            svg.Text(left - 6, top + i * cell + cell / 2 + 4, Name(classNames, i), anchor: "end");
        for (int j = 0; j < cols; j++)
        {
            double x = left + j * cell + cell / 2, y = top + gridH + 12;
            svg.Text(x, y, Name(classNames, j), anchor: "end", rotate: -45);
        }
        svg.Text(14, top + gridH / 2, "True class", anchor: "middle", size: 12, rotate: -90);
        svg.Text(left + gridW / 2, bottom - 10, "Predicted class", anchor: "middle", size: 12);

        // Color bar: share of the true class, 0 at the bottom to 1 at the top.
        const int steps = 10;
        double barH = Math.Max(gridH, 100), stepH = barH / steps;
        for (int s = 0; s < steps; s++)
            svg.Rect(barX, top + (steps - 1 - s) * stepH, 14, stepH, Shade((s + 0.5) / steps));
        svg.Rect(barX, top, 14, barH, "none", stroke: "#888888");
        svg.Text(barX + 18, top + 4, "1.0");
        svg.Text(barX + 18, top + barH / 2 + 4, "0.5");
        svg.Text(barX + 18, top + barH + 4, "0.0");
        svg.Text(barX + 56, top + barH / 2, "share of true class", anchor: "middle", size: 10, rotate: 90);
        return svg.ToString();
    }

    private static string Name(IReadOnlyList<string> names, int i) =>
        SvgText.Shorten(i < names.Count ? names[i] : i.ToString(CultureInfo.InvariantCulture), NameChars);

    /// <summary>White (0) to dark blue (1).</summary>
    private static string Shade(double share)
    {
        double f = Math.Clamp(share, 0, 1);
        int r = (int)Math.Round(255 + (8 - 255) * f), g = (int)Math.Round(255 + (48 - 255) * f), b = (int)Math.Round(255 + (107 - 255) * f);
        return string.Create(CultureInfo.InvariantCulture, $"rgb({r},{g},{b})");
    }
}
