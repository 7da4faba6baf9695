using System.Xml.Linq;

namespace FcnLab.Lab.Tests.Reports;

/// <summary>Checks that an SVG document is well-formed, self-describing and draws something.</summary>
internal static class SvgAssert
{
    public static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    public static XDocument Valid(string svg)
    {
        var doc = XDocument.Parse(svg);
        var root = doc.Root!;
        Assert.Equal(Svg + "svg", root.Name);
        string viewBox = root.Attribute("viewBox")?.Value ?? "";
        var box = viewBox.Split(' ').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(4, box.Length);
        Assert.True(box[2] > 0 && box[3] > 0, $"viewBox {viewBox}");
        Assert.NotNull(root.Attribute("width"));
        Assert.NotNull(root.Attribute("height"));
        Assert.False(string.IsNullOrWhiteSpace(root.Element(Svg + "title")?.Value), "no title");
        // Something drawn besides the white background rectangle.
        Assert.True(root.Descendants().Count(e => e.Name == Svg + "path" || e.Name == Svg + "image" || e.Name == Svg + "circle" || e.Name == Svg + "rect") > 1,
            "nothing drawn");
        Assert.Contains(root.Descendants(Svg + "text"), t => t.Value.Length > 0);
        Assert.DoesNotContain("NaN", svg);
        Assert.DoesNotContain("Infinity", svg);
        Assert.DoesNotContain("∞", svg);
        Assert.DoesNotContain(root.Descendants(), e => e.Attribute("id") != null); // inlined several to a page: ids would clash
        return doc;
    }

    /// <summary>The PNG bytes an &lt;image&gt; embeds as a base64 data URI.</summary>
    public static byte[] ImagePng(XElement image)
    {
        var href = image.Attribute(XNamespace.Get("http://www.w3.org/1999/xlink") + "href")!.Value;
        const string prefix = "data:image/png;base64,";
        Assert.StartsWith(prefix, href);
        return Convert.FromBase64String(href[prefix.Length..]);
    }

    public static List<string> Texts(XDocument doc) =>
        [.. doc.Root!.Descendants(Svg + "text").Select(t => string.Concat(t.Nodes().OfType<XText>().Select(x => x.Value)))];
}
