using System.Text;
using static FcnLab.Lab.Reports.Charts.SvgText;

namespace FcnLab.Lab.Reports.Charts;

/// <summary>
/// Writes one self-contained SVG document as text. The root carries xmlns, viewBox, width and height,
/// a &lt;title&gt; and a white background; no element has an id, so several charts can be inlined in one
/// HTML page without clashes.
/// </summary>
internal sealed class SvgBuilder
{
    public const double FontSize = 11;
    private readonly StringBuilder _sb = new();

    public SvgBuilder(double width, double height, string title)
    {
        _sb.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"0 0 ")
            .Append(Num(width)).Append(' ').Append(Num(height))
            .Append("\" width=\"").Append(Num(width)).Append("\" height=\"").Append(Num(height))
            .Append("\" font-family=\"DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif\" font-size=\"").Append(Num(FontSize)).Append("\">\n");
        _sb.Append("<title>").Append(Escape(title)).Append("</title>\n");
        _sb.Append("<rect x=\"0\" y=\"0\" width=\"").Append(Num(width)).Append("\" height=\"").Append(Num(height)).Append("\" fill=\"#ffffff\"/>\n");
        Text(width / 2, 20, title, anchor: "middle", size: 14, weight: "bold");
    }

    public void Line(double x1, double y1, double x2, double y2, string stroke, double width = 1, string? dash = null)
    {
        _sb.Append("<line x1=\"").Append(Num(x1)).Append("\" y1=\"").Append(Num(y1))
            .Append("\" x2=\"").Append(Num(x2)).Append("\" y2=\"").Append(Num(y2))
            .Append("\" stroke=\"").Append(stroke).Append("\" stroke-width=\"").Append(Num(width)).Append('"');
        if (dash != null) _sb.Append(" stroke-dasharray=\"").Append(dash).Append('"');
        _sb.Append("/>\n");
    }

    public void Rect(double x, double y, double w, double h, string fill, string? stroke = null, string? tooltip = null)
    {
        _sb.Append("<rect x=\"").Append(Num(x)).Append("\" y=\"").Append(Num(y))
            .Append("\" width=\"").Append(Num(w)).Append("\" height=\"").Append(Num(h))
            .Append("\" fill=\"").Append(fill).Append('"');
        if (stroke != null) _sb.Append(" stroke=\"").Append(stroke).Append('"');
        if (tooltip == null) _sb.Append("/>\n");
        else _sb.Append("><title>").Append(Escape(tooltip)).Append("</title></rect>\n");
    }

    public void Circle(double cx, double cy, double r, string fill)
    {
        _sb.Append("<circle cx=\"").Append(Num(cx)).Append("\" cy=\"").Append(Num(cy))
            .Append("\" r=\"").Append(Num(r)).Append("\" fill=\"").Append(fill).Append("\"/>\n");
    }

    /// <summary>A polyline through <paramref name="points"/> (pixels); null entries break the line.</summary>
    public void Path(IReadOnlyList<(double X, double Y)?> points, string stroke, double width, string? dash)
    {
        var d = new StringBuilder();
        bool penDown = false;
        foreach (var p in points)
        {
            if (p is not { } q)
            {
                penDown = false;
                continue;
            }
            d.Append(d.Length == 0 ? "" : " ").Append(penDown ? 'L' : 'M').Append(Num(q.X)).Append(',').Append(Num(q.Y));
            penDown = true;
        }
        if (d.Length == 0) return;
        _sb.Append("<path d=\"").Append(d).Append("\" fill=\"none\" stroke=\"").Append(stroke)
            .Append("\" stroke-width=\"").Append(Num(width)).Append("\" stroke-linejoin=\"round\"");
        if (dash != null) _sb.Append(" stroke-dasharray=\"").Append(dash).Append('"');
        _sb.Append("/>\n");
    }

    /// <summary>A filled polygon through <paramref name="points"/> (pixels), no stroke.</summary>
    public void Polygon(IReadOnlyList<(double X, double Y)> points, string fill, double opacity)
    {
        _sb.Append("<polygon points=\"").AppendJoin(' ', points.Select(p => Num(p.X) + "," + Num(p.Y)))
            .Append("\" fill=\"").Append(fill).Append("\" fill-opacity=\"").Append(Num(opacity)).Append("\" stroke=\"none\"/>\n");
    }

    public void Text(double x, double y, string text, string anchor = "start", double size = FontSize,
        string? weight = null, string fill = "#222222", double rotate = 0, string? tooltip = null)
    {
        _sb.Append("<text x=\"").Append(Num(x)).Append("\" y=\"").Append(Num(y)).Append('"');
        if (anchor != "start") _sb.Append(" text-anchor=\"").Append(anchor).Append('"');
        if (size != FontSize) _sb.Append(" font-size=\"").Append(Num(size)).Append('"');
        if (weight != null) _sb.Append(" font-weight=\"").Append(weight).Append('"');
        _sb.Append(" fill=\"").Append(fill).Append('"');
        if (rotate != 0) _sb.Append(" transform=\"rotate(").Append(Num(rotate)).Append(' ').Append(Num(x)).Append(' ').Append(Num(y)).Append(")\"");
        _sb.Append('>');
        if (tooltip != null) _sb.Append("<title>").Append(Escape(tooltip)).Append("</title>");
        _sb.Append(Escape(text)).Append("</text>\n");
    }

    public void Image(double x, double y, double w, double h, byte[] png)
    {
        _sb.Append("<image x=\"").Append(Num(x)).Append("\" y=\"").Append(Num(y))
            .Append("\" width=\"").Append(Num(w)).Append("\" height=\"").Append(Num(h))
            .Append("\" preserveAspectRatio=\"none\" image-rendering=\"optimizeSpeed\" style=\"image-rendering:pixelated\" xlink:href=\"data:image/png;base64,")
            .Append(Convert.ToBase64String(png)).Append("\"/>\n");
    }

    public override string ToString() => _sb.ToString() + "</svg>\n";
}
