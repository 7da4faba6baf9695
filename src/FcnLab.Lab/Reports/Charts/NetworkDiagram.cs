using System.Globalization;
using FcnLab.Engine.Models;

namespace FcnLab.Lab.Reports.Charts;

/// <summary>
/// A diagram of a network (as Wang's Fig. 1): the input, then one box per layer in order, each with the layer and
/// its per-sample output shape (and its parameter count where it has any), joined top to bottom by arrows. FcnLab's
/// networks are one chain of layers, so the diagram is a single column.
/// </summary>
public static class NetworkDiagram
{
    private const double BoxHeight = 36, Gap = 18, Top = 36, Margin = 20, CharWidth = 6.6;

    public static string Render(string title, ModelSummary summary)
    {
        var inv = CultureInfo.InvariantCulture;
        var boxes = new List<(string Name, string Detail)> { ("input", Shape(summary.InputShape)) };
        foreach (var l in summary.Layers)
            boxes.Add((l.Layer, l.Parameters > 0 ? $"{Shape(l.OutputShape)} · {l.Parameters.ToString("N0", inv)} parameters" : Shape(l.OutputShape)));

        double boxWidth = Math.Max(240, boxes.Max(b => Math.Max(b.Name.Length, b.Detail.Length)) * CharWidth + 24);
        double width = Math.Max(boxWidth + 2 * Margin, title.Length * 8.5 + 2 * Margin);
        double height = Top + boxes.Count * BoxHeight + (boxes.Count - 1) * Gap + Margin;
        var svg = new SvgBuilder(width, height, title);
        double x = (width - boxWidth) / 2, mid = width / 2;
        for (int i = 0; i < boxes.Count; i++)
        {
            double y = Top + i * (BoxHeight + Gap);
            if (i > 0)
            {
                // The arrow from the box above: a shaft and a two-stroke head ending on this box.
                svg.Line(mid, y - Gap, mid, y, "#555555");
                svg.Line(mid - 4, y - 6, mid, y, "#555555");
                svg.Line(mid + 4, y - 6, mid, y, "#555555");
            }
            svg.Rect(x, y, boxWidth, BoxHeight, i == 0 ? "#eeeeee" : "#e8f0fa", stroke: "#4a6d8c", tooltip: $"{boxes[i].Name}: {boxes[i].Detail}");
            svg.Text(mid, y + 15, boxes[i].Name, anchor: "middle", weight: "bold");
            svg.Text(mid, y + 29, boxes[i].Detail, anchor: "middle", fill: "#444444");
        }
        return svg.ToString();
    }

    private static string Shape(IReadOnlyList<int> shape) => "[" + string.Join(", ", shape) + "]";
}
