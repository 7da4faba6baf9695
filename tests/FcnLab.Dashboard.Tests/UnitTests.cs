using FcnLab.Lab.Reports.Charts;

namespace FcnLab.Dashboard.Tests;

/// <summary>The dashboard's pure helpers against slow, obvious references.</summary>
public class UnitTests
{
    [Fact]
    public void DebiasedEma_MatchesTheDefinition_AndStartsAtTheFirstValue()
    {
        double[] ys = [2.0, 1.0, 4.0, double.NaN, 3.0, 0.5];
        var points = ys.Select((y, i) => new ChartPoint(i + 1, y)).ToList();
        const double w = 0.9;
        var smoothed = Smoothing.DebiasedEma(points, w);
        // Reference: the weighted mean of the finite values so far, weights w^(n-k).
        var finite = new List<double>();
        for (int i = 0; i < ys.Length; i++)
        {
            if (double.IsNaN(ys[i])) { Assert.True(double.IsNaN(smoothed[i].Y)); continue; }
            finite.Add(ys[i]);
            double num = 0, den = 0;
            for (int k = 0; k < finite.Count; k++) { double weight = Math.Pow(w, finite.Count - 1 - k); num += weight * finite[k]; den += weight; }
            Assert.Equal(num / den, smoothed[i].Y, 12);
        }
        Assert.Equal(2.0, smoothed[0].Y, 12); // not pulled towards zero, as an undebiased EMA (0.2) would be
        Assert.Equal(points, Smoothing.DebiasedEma(points, 0).Select((p, i) => double.IsNaN(p.Y) ? points[i] : p));
    }

    [Fact]
    public void Downsample_KeepsEveryExtremeAndBothEnds()
    {
        var rng = new Random(3);
        var points = Enumerable.Range(0, 100_003).Select(i => new ChartPoint(i, rng.NextDouble())).ToList();
        points[77_777] = new ChartPoint(77_777, 50); // one spike
        points[12_345] = new ChartPoint(12_345, -50);
        var drawn = Downsample.MinMax(points, 400);
        Assert.InRange(drawn.Count, 400, 1600);
        Assert.Equal(points[0], drawn[0]);
        Assert.Equal(points[^1], drawn[^1]);
        Assert.Contains(points[77_777], drawn);
        Assert.Contains(points[12_345], drawn);
        Assert.Equal(drawn.OrderBy(p => p.X), drawn);
        var few = points.Take(100).ToList();
        Assert.Same(few, Downsample.MinMax(few, 400));
    }

    [Fact]
    public void ClassMetrics_FromAConfusionMatrix()
    {
        long[,] confusion = { { 8, 2, 0 }, { 1, 9, 0 }, { 0, 0, 0 } };
        var m = ClassMetrics.Of(confusion, ["a", "b"]);
        Assert.Equal(("a", 10L), (m[0].Name, m[0].Support));
        Assert.Equal(8.0 / 9, m[0].Precision, 12);
        Assert.Equal(0.8, m[0].Recall, 12);
        Assert.Equal(2 * (8.0 / 9) * 0.8 / (8.0 / 9 + 0.8), m[0].F1, 12);
        Assert.Equal("class 2", m[2].Name);
        Assert.True(double.IsNaN(m[2].Precision) && double.IsNaN(m[2].Recall));
    }

    [Fact]
    public void Escape_TurnsMarkupAndControlCharactersIntoText()
    {
        Assert.Equal("&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;\u2401\u241b", Html.Escape("<script>\"x\" & 'y'\u0001\u001b"));
        Assert.Equal("", Html.Escape(null));
    }

    [Fact]
    public void AllowedHosts_AreTheBoundAddressLoopbackNamesAndTheGivenOnes()
    {
        var loopback = DashboardServer.AllowedHosts(new DashboardOptions("s.db"));
        Assert.Equal(["127.0.0.1", "::1", "localhost"], loopback.Order(StringComparer.Ordinal));
        var wide = DashboardServer.AllowedHosts(new DashboardOptions("s.db", "0.0.0.0", 80, ["lab.example.org"]));
        Assert.Equal(["0.0.0.0", "lab.example.org"], wide.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ModelSummaries_RebuildTheNetworkFromTheStoredSettings_AsFcnlabSummaryDoes()
    {
        var models = new ModelSummaries();
        var images = new TestImages();
        (Engine.Training.TrainConfig Config, int[] Shape, int Classes)[] cases =
        [
            (new() { Arch = "lenet5" }, [1, 28, 28], 10), // fashion-mnist: its known shape and classes
            (new() { Dataset = "csv-thing", Hidden = [32, 16], Activation = Engine.Layers.Activation.LeakyReLU, LeakySlope = 0.2f, BatchNorm = true, Dropout = 0.25f, ImageShape = [12, 12], Classes = 3 }, [1, 12, 12], 3),
        ];
        foreach (var (config, shape, classes) in cases)
        {
            var (summary, why) = models.For(Lab.Sweeps.TrialIdentity.CanonicalJson(config), null, images);
            Assert.True(summary != null, why);
            Assert.Equal(Engine.Models.ModelSummary.Of(config.ToModelSpec(shape, classes)).Format(), summary.Format());
        }
        // Neither a recorded shape nor data on this machine: no summary, and the reason.
        var unknown = Lab.Sweeps.TrialIdentity.CanonicalJson(new Engine.Training.TrainConfig { Dataset = "nosuch", DataDir = "/nonexistent/fcnlab" });
        var (none, reason) = models.For(unknown, ["a", "b"], images);
        Assert.Null(none);
        Assert.Contains("input shape", reason);
        Assert.Equal((null, "the run's settings do not describe its network"), models.For("{\"Hidden\": \"oops\"}", null, images));
    }
}
