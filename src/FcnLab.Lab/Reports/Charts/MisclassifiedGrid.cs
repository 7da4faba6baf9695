using System.Globalization;
using FcnLab.Engine.Png;
using FcnLab.Engine.Training;

namespace FcnLab.Lab.Reports.Charts;

/// <summary>
/// A grid of misclassified test images, each an embedded PNG (data URI, drawn pixelated at an integer
/// scale) with its true and predicted class names underneath.
/// </summary>
public static class MisclassifiedGrid
{
    public const int DefaultMax = 36;
    private const int Columns = 6;
    private const int CaptionChars = 20;

    /// <param name="items">The run's mistakes, in test-set order; the first <paramref name="max"/> are drawn.</param>
    public static string Render(string title, IReadOnlyList<Misclassification> items, ReportImages images, int max = DefaultMax)
    {
        var shown = items.Take(Math.Max(0, max)).ToList();
        int side = Math.Max(images.Height, images.Width);
        // Small images at a whole-number scale (pixels stay square and crisp), large ones shrunk to 64 px.
        double scale = side <= 64 ? Math.Floor(64.0 / side) : 64.0 / side;
        double imageW = images.Width * scale, imageH = images.Height * scale;
        double cellW = Math.Max(imageW, 120) + 8, cellH = imageH + 36;
        int columns = Math.Clamp(shown.Count, 1, Columns);
        int rows = Math.Max(1, (shown.Count + columns - 1) / columns);
        double top = 52, left = 12;
        double width = Math.Max(left * 2 + columns * cellW, SvgText.Width(title, 14) + 40);
        double height = top + rows * cellH + 8;
        var svg = new SvgBuilder(width, height, title);

        string note = shown.Count == 0
            ? "no misclassified test images"
            : string.Format(CultureInfo.InvariantCulture, "the first {0} of {1} misclassified test images (test-set order)", shown.Count, items.Count);
        svg.Text(width / 2, 38, note, anchor: "middle", fill: "#555555");

        for (int k = 0; k < shown.Count; k++)
        {
            var m = shown[k];
            var (samples, channels) = images.Samples(m.Index);
            byte[] png = PngEncoder.Encode(samples, images.Width, images.Height, channels);
            double x = left + (k % columns) * cellW, y = top + (k / columns) * cellH;
            double ix = x + (cellW - imageW) / 2;
            svg.Image(ix, y, imageW, imageH, png);
            string trueName = images.ClassName(m.TrueClass), predName = images.ClassName(m.PredictedClass);
            string tip = string.Format(CultureInfo.InvariantCulture, "test image {0}: true: {1} / pred: {2}", m.Index, trueName, predName);
            svg.Text(x + cellW / 2, y + imageH + 13, "true: " + SvgText.Shorten(trueName, CaptionChars), anchor: "middle", size: 10, tooltip: tip);
            svg.Text(x + cellW / 2, y + imageH + 26, "pred: " + SvgText.Shorten(predName, CaptionChars), anchor: "middle", size: 10, fill: "#b22222", tooltip: tip);
        }
        return svg.ToString();
    }
}
