using FcnLab.Lab.Reports.Charts;

namespace FcnLab.Lab.Tests.Reports;

/// <summary>The charts a search's report adds: slice plots (scatter) and setting importance (bars).</summary>
public class SearchChartTests
{
    [Fact]
    public void Scatter_draws_one_marker_per_finite_point_muted_groups_first_and_grey()
    {
        var completed = new ScatterGroup("completed", [new(-3, 0.85), new(-2, 0.88), new(-1, double.NaN)]);
        var pruned = new ScatterGroup("pruned <at epoch 1>", [new(-2.5, 0.7)], Muted: true);
        var doc = SvgAssert.Valid(ScatterChart.Render("val_accuracy against lr", "log10(lr)", "val_accuracy", [completed, pruned]));
        var texts = SvgAssert.Texts(doc);
        Assert.Contains("val_accuracy against lr", texts);
        Assert.Contains("log10(lr)", texts);
        Assert.Contains("pruned <at epoch 1>", texts); // escaped by the builder, read back as text
        var circles = doc.Descendants(SvgAssert.Svg + "circle").ToList();
        Assert.Equal(3, circles.Count);
        Assert.Equal(ScatterChart.MutedColor, circles[0].Attribute("fill")!.Value); // under the colored ones
        Assert.All(circles.Skip(1), c => Assert.NotEqual(ScatterChart.MutedColor, c.Attribute("fill")!.Value));
        Assert.Empty(doc.Descendants(SvgAssert.Svg + "path"));

        var empty = SvgAssert.Valid(ScatterChart.Render("t", "x", "y", [new ScatterGroup("none", [])]));
        Assert.Contains("no data", SvgAssert.Texts(empty));
    }

    [Fact]
    public void Bars_are_as_long_as_their_values_and_labelled()
    {
        var doc = SvgAssert.Valid(BarChart.Render("Setting importance", [("lr", 0.6), ("hidden.width", 0.3), ("dropout", 0.1)]));
        var texts = SvgAssert.Texts(doc);
        Assert.Contains("lr", texts);
        Assert.Contains("60%", texts);
        Assert.Contains("10%", texts);
        var widths = doc.Descendants(SvgAssert.Svg + "rect").Select(r => double.Parse(r.Attribute("width")!.Value, System.Globalization.CultureInfo.InvariantCulture))
            .Where(w => w < 400).ToList(); // the bars (the background is the picture's width)
        Assert.Equal(3, widths.Count);
        Assert.Equal(2.0, widths[0] / widths[1], 3);
        Assert.Equal(6.0, widths[0] / widths[2], 3);
        Assert.Contains("no data", SvgAssert.Texts(SvgAssert.Valid(BarChart.Render("t", []))));
    }
}
