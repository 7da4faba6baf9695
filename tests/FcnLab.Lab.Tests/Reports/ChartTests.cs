using FcnLab.Engine;
using FcnLab.Engine.Tests.Png;
using FcnLab.Lab.Reports.Charts;
using static FcnLab.Lab.Tests.Reports.ReportTestData;

namespace FcnLab.Lab.Tests.Reports;

public class ChartTests
{
    private static Series Line(string label, params double[] ys) =>
        new(label, [.. ys.Select((y, i) => new ChartPoint(i + 1, y))]);

    [Fact]
    public void Line_chart_has_title_axes_labels_a_legend_and_one_path_per_series()
    {
        var doc = SvgAssert.Valid(LineChart.Render("Training loss: sweep", "Epoch", "Loss",
            [Line("optimizer=adam", 1.0, 0.6, 0.4, 0.3), Line("optimizer=sgd", 2.0, 1.5, 1.2, 1.0)]));
        var texts = SvgAssert.Texts(doc);
        Assert.Contains("Training loss: sweep", texts);
        Assert.Contains("Epoch", texts);
        Assert.Contains("Loss", texts);
        Assert.Contains("optimizer=adam", texts);
        Assert.Contains("optimizer=sgd", texts);
        Assert.Contains("4", texts); // an epoch tick
        Assert.Contains("2.0", texts); // a loss tick
        Assert.Equal(2, doc.Descendants(SvgAssert.Svg + "path").Count());
    }

    [Fact]
    public void Nan_and_infinite_values_are_gaps_not_text()
    {
        string svg = LineChart.Render("t", "Epoch", "Loss",
            [Line("a", 1.0, double.NaN, 0.5, double.PositiveInfinity, 0.25), Line("b", double.NaN, double.NaN)]);
        var doc = SvgAssert.Valid(svg);
        var d = doc.Descendants(SvgAssert.Svg + "path").Single().Attribute("d")!.Value;
        Assert.Equal(3, d.Count(c => c == 'M')); // three separate pieces: 1 | 3 | 5
        Assert.DoesNotContain('L', d);
    }

    [Fact]
    public void All_missing_data_says_so()
    {
        var doc = SvgAssert.Valid(LineChart.Render("t", "Epoch", "Loss", [Line("a", double.NaN)]));
        Assert.Contains("no data", SvgAssert.Texts(doc));
        SvgAssert.Valid(LineChart.Render("t", "Epoch", "Loss", []));
    }

    [Fact]
    public void A_single_epoch_gets_a_marker_and_a_flat_series_a_range()
    {
        var single = SvgAssert.Valid(LineChart.Render("t", "Epoch", "Loss", [Line("a", 0.7)]));
        Assert.Single(single.Descendants(SvgAssert.Svg + "circle"));
        var flat = SvgAssert.Valid(LineChart.Render("t", "Epoch", "Loss", [Line("a", 0.5, 0.5, 0.5), Line("b", 0.5, 0.5, 0.5)]));
        Assert.Contains("0.50", SvgAssert.Texts(flat));
        SvgAssert.Valid(LineChart.Render("t", "Epoch", "Loss", [Line("zero", 0, 0)]));
    }

    [Fact]
    public void Many_configurations_cycle_colors_with_dashes_and_grow_the_picture()
    {
        var series = Enumerable.Range(0, 45).Select(i => Line($"lr={i}", 1.0 / (i + 1), 0.5 / (i + 1))).ToList();
        var doc = SvgAssert.Valid(LineChart.Render("t", "Epoch", "Loss", series));
        var texts = SvgAssert.Texts(doc);
        Assert.All(series, s => Assert.Contains(s.Label, texts));
        var paths = doc.Descendants(SvgAssert.Svg + "path").ToList();
        Assert.Equal(45, paths.Count);
        Assert.Null(paths[0].Attribute("stroke-dasharray"));
        Assert.NotNull(paths[10].Attribute("stroke-dasharray"));
        Assert.Equal(paths[0].Attribute("stroke")!.Value, paths[10].Attribute("stroke")!.Value);
        double height = double.Parse(doc.Root!.Attribute("height")!.Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(height > 45 * 16, $"height {height} cannot hold 45 legend rows");
    }

    [Fact]
    public void Labels_are_escaped_and_long_ones_shortened()
    {
        string label = "init=<kaiming> & \"fan_in\" \u0001" + new string('x', 80);
        var doc = SvgAssert.Valid(LineChart.Render("a < b & c", "Epoch", "Loss", [Line(label, 1, 2)]));
        Assert.Contains("a < b & c", SvgAssert.Texts(doc));
        Assert.Contains(SvgAssert.Texts(doc), t => t.StartsWith("init=<kaiming> & \"fan_in\"", StringComparison.Ordinal) && t.EndsWith('…'));
    }

    [Fact]
    public void Dual_axis_chart_has_two_axes_in_the_series_colors()
    {
        var doc = SvgAssert.Valid(DualAxisChart.Render("Loss and accuracy", "Epoch",
            Line("training loss", 0.9, 0.5, 0.3), "Training loss", Line("validation accuracy", 80, 85, double.NaN), "Validation accuracy (%)"));
        var texts = SvgAssert.Texts(doc);
        Assert.Contains("Training loss", texts);
        Assert.Contains("Validation accuracy (%)", texts);
        Assert.Contains("training loss", texts);
        Assert.Contains("validation accuracy", texts);
        Assert.Contains("85", texts); // a right-axis tick
        Assert.Equal(2, doc.Descendants(SvgAssert.Svg + "path").Count());
        Assert.Equal(2, doc.Descendants(SvgAssert.Svg + "path").Select(p => p.Attribute("stroke")!.Value).Distinct().Count());

        SvgAssert.Valid(DualAxisChart.Render("one epoch", "Epoch", Line("l", 0.5), "L", Line("a", double.NaN), "A"));
    }

    [Fact]
    public void Confusion_heat_map_names_both_axes_and_counts_every_cell()
    {
        var doc = SvgAssert.Valid(ConfusionHeatmap.Render("Confusion", Confusion(), ClassNames));
        var texts = SvgAssert.Texts(doc);
        foreach (string name in ClassNames) Assert.Equal(2, texts.Count(t => t == name));
        foreach (long count in Confusion()) Assert.Contains(count.ToString(System.Globalization.CultureInfo.InvariantCulture), texts);
        Assert.Contains("True class", texts);
        Assert.Contains("Predicted class", texts);

        var empty = new long[2, 2];
        SvgAssert.Valid(ConfusionHeatmap.Render("empty", empty, ["only one name"]));
        var big = new long[30, 30];
        big[3, 4] = 7;
        SvgAssert.Valid(ConfusionHeatmap.Render("big", big, []));
    }

    [Fact]
    public void Misclassified_grid_embeds_up_to_36_pngs_with_captions()
    {
        var images = Images();
        var doc = SvgAssert.Valid(MisclassifiedGrid.Render("Mistakes", Mistakes(40), images));
        var pictures = doc.Descendants(SvgAssert.Svg + "image").ToList();
        Assert.Equal(36, pictures.Count);
        var png = PngTestFiles.Read(SvgAssert.ImagePng(pictures[0]));
        Assert.Equal((6, 8, 0), (png.Width, png.Height, png.ColorType));
        Assert.Equal(images.Samples(0).Samples, png.Samples); // the first mistake is test image 0
        var texts = SvgAssert.Texts(doc);
        Assert.Contains("true: T-shirt/top", texts);
        Assert.Contains("pred: Trouser & <Co>", texts);
        Assert.Contains("the first 36 of 40 misclassified test images (test-set order)", texts);

        var few = SvgAssert.Valid(MisclassifiedGrid.Render("Mistakes", Mistakes(2), images));
        Assert.Equal(2, few.Descendants(SvgAssert.Svg + "image").Count());
        var none = System.Xml.Linq.XDocument.Parse(MisclassifiedGrid.Render("Mistakes", [], images));
        Assert.Contains("no misclassified test images", SvgAssert.Texts(none));
    }

    [Fact]
    public void A_mistake_outside_the_test_set_is_an_error()
    {
        var ex = Assert.Throws<FcnLabException>(() => MisclassifiedGrid.Render("m", [new(500, 0, 1)], Images(10)));
        Assert.Contains("outside the test set of 10 images", ex.Message);
    }

    [Fact]
    public void Axis_ticks_are_nice_and_cover_the_data()
    {
        var a = Axis.Nice([0.13, 0.87]);
        Assert.Equal([0, 0.2, 0.4, 0.6, 0.8, 1.0], a.Ticks);
        Assert.Equal("0.4", a.Label(0.4));
        var epochs = Axis.Nice([1, 2, 3], integerSteps: true);
        Assert.All(epochs.Ticks, t => Assert.Equal(Math.Round(t), t));
        Assert.Equal(["1", "2", "3"], epochs.Ticks.Where(t => t >= 1 && t <= 3).Select(epochs.Label));
        var single = Axis.Nice([1], integerSteps: true);
        Assert.True(single.Max > single.Min);
        Assert.Contains(1.0, single.Ticks);
        var flat = Axis.Nice([0.25, 0.25]);
        Assert.True(flat.Min < 0.25 && flat.Max > 0.25);
        var empty = Axis.Nice([double.NaN]);
        Assert.Equal(0, empty.Min);
        Assert.Equal(1, empty.Max);
        var negative = Axis.Nice([-0.3, 0.2]);
        Assert.DoesNotContain("-0.0", negative.Ticks.Select(negative.Label));
    }

    [Fact]
    public void A_band_is_one_translucent_polygon_per_finite_run_and_widens_the_axis()
    {
        var band = new[] { new BandPoint(1, 0.5, 1.5), new BandPoint(2, 0.4, 1.2), new BandPoint(3, double.NaN, double.NaN), new BandPoint(4, 0.1, 9.0), new BandPoint(5, 0.1, 0.3) };
        var doc = SvgAssert.Valid(LineChart.Render("t", "Epoch", "Loss", [Line("a", 1.0, 0.8, 0.6, 0.4, 0.2) with { Band = band }, Line("b", 2, 2)]));
        var polygons = doc.Descendants(SvgAssert.Svg + "polygon").ToList();
        Assert.Equal(2, polygons.Count); // epochs 1-2 and 4-5: the NaN splits the band
        Assert.All(polygons, p => Assert.Equal(4, p.Attribute("points")!.Value.Split(' ').Length)); // upper edge there, lower edge back
        Assert.All(polygons, p => Assert.Equal("0.18", p.Attribute("fill-opacity")!.Value));
        Assert.Contains("8", SvgAssert.Texts(doc)); // the y axis reaches the band's 9.0, above every line
        var order = doc.Root!.Elements().Select(e => e.Name.LocalName).ToList();
        Assert.True(order.IndexOf("polygon") < order.IndexOf("path"), "the band is drawn under the lines");
    }

    [Fact]
    public void Network_diagram_draws_the_input_and_one_box_per_layer_with_its_shape()
    {
        var summary = new Engine.Models.ModelSummary([1, 28, 28],
        [
            new(0, "Flatten", [784], 0, 0),
            new(1, "Linear(784, 16)", [16], 12_560, 25_088),
            new(2, "ReLU <&>", [16], 0, 0),
            new(3, "Linear(16, 10)", [10], 170, 320),
        ]);
        var doc = SvgAssert.Valid(NetworkDiagram.Render("The network", summary));
        var texts = SvgAssert.Texts(doc);
        Assert.Equal(1 + 1 + 4, doc.Descendants(SvgAssert.Svg + "rect").Count()); // background, input, layers
        Assert.Contains("input", texts);
        Assert.Contains("[1, 28, 28]", texts);
        Assert.Contains("ReLU <&>", texts); // escaped in the file, the same text when parsed
        Assert.Contains("[16] · 12,560 parameters", texts);
        Assert.Contains("[10] · 170 parameters", texts);
        Assert.Equal(3 * 4, doc.Descendants(SvgAssert.Svg + "line").Count()); // an arrow (shaft and two head strokes) into each layer
    }
}
