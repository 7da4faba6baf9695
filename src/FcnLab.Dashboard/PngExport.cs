using System.Xml.Linq;
using SkiaSharp;
using Svg.Skia;

namespace FcnLab.Dashboard;

/// <summary>
/// A chart as PNG: the very SVG the page shows and the SVG download give (so the legend and axis titles are there),
/// drawn by Svg.Skia at <see cref="Scale"/> times its size. Nothing is drawn twice: there is one chart implementation.
/// </summary>
internal static class PngExport
{
    /// <summary>Pixels per SVG unit: 2, sharp on high-density screens and in documents.</summary>
    public const int Scale = 2;

    /// <summary>The PNG of <paramref name="svg"/>: (width, height) are the SVG's width and height attributes times <see cref="Scale"/>, rounded up.</summary>
    public static byte[] Render(string svg)
    {
        var doc = XDocument.Parse(svg);
        // Tooltips (<title> inside a shape or a text) have no place in a picture, and Svg.Skia would draw them as text.
        doc.Descendants().Where(e => e.Name.LocalName == "title").ToList().ForEach(e => e.Remove());
        var root = doc.Root!;
        double width = double.Parse((string)root.Attribute("width")!, System.Globalization.CultureInfo.InvariantCulture);
        double height = double.Parse((string)root.Attribute("height")!, System.Globalization.CultureInfo.InvariantCulture);
        using var picture = new SKSvg();
        picture.FromSvg(doc.ToString(SaveOptions.DisableFormatting));
        if (picture.Picture is not { } drawing) throw new InvalidDataException("The chart's SVG could not be drawn.");
        using var bitmap = new SKBitmap(Pixels(width), Pixels(height));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            canvas.Scale(Scale);
            canvas.DrawPicture(drawing);
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    public static int Pixels(double svgUnits) => (int)Math.Ceiling(svgUnits * Scale - 1e-9);
}
