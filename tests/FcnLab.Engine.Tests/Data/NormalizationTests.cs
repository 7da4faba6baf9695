using FcnLab.Engine.Data;

namespace FcnLab.Engine.Tests.Data;

public class NormalizationTests
{
    // Three images of two pixels: 0,2 | 4,6 | 100,200.
    private static ImageSet Tiny() => new([0, 2, 4, 6, 100, 200], [0, 1, 0], 2);

    [Fact]
    public void Standardize_GlobalPopulationStatistics_OnGivenRowsOnly()
    {
        var n = Normalization.Fit(NormalizeKind.Standardize, Tiny(), [0, 1]);
        Assert.Equal(NormalizeKind.Standardize, n.Kind);
        Assert.Equal(3f, n.Mean);
        Assert.Equal((float)Math.Sqrt(5.0), n.Std); // deviations -3,-1,1,3: variance 20/4

        var all = Normalization.Fit(NormalizeKind.Standardize, Tiny(), [0, 1, 2]);
        Assert.Equal(312f / 6, all.Mean, 1e-5f);
    }

    [Fact]
    public void Apply_GivesRowsInIndexOrder()
    {
        var n = new Normalization(NormalizeKind.Standardize, 3f, 2f);
        var t = n.Apply(Tiny(), [2, 0]);
        Assert.Equal([2, 2], t.Shape);
        Assert.Equal([(100f - 3f) / 2f, (200f - 3f) / 2f, -1.5f, -0.5f], t.ToArray());

        // Vector and scalar lanes agree bit for bit: a long row equals its element-by-element formula.
        var pixels = Enumerable.Range(0, 3 * 37).Select(i => (float)(i * 13 % 256)).ToArray();
        var set = new ImageSet(pixels, [0, 0, 0], 37);
        var fitted = Normalization.Fit(NormalizeKind.Standardize, set, [0, 1, 2]);
        var output = fitted.Apply(set, [0, 1, 2]).ToArray();
        for (int i = 0; i < pixels.Length; i++) Assert.Equal((pixels[i] - fitted.Mean) / fitted.Std, output[i]);
    }

    [Fact]
    public void Symmetric_IsTorchvisionsNormalizeHalfHalf_ForEveryPixelValue()
    {
        // PyTorch's ToTensor() then Normalize((0.5,), (0.5,)) (normalize-vectors.json, make-normalize-vectors.py).
        var c = Layers.LayerTestKit.ReadCases("normalize-vectors.json").GetProperty("symmetric");
        var pixels = c.GetProperty("pixels").EnumerateArray().Select(p => (float)p.GetInt32()).ToArray();
        var expected = c.GetProperty("values").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var set = new ImageSet(pixels, [0], pixels.Length);
        var n = Normalization.Fit(NormalizeKind.Symmetric, set, [0]);
        Assert.Equal(Normalization.Symmetric, n);
        var output = n.Apply(set, [0]).ToArray();
        for (int i = 0; i < pixels.Length; i++)
            Assert.True(Math.Abs(output[i] - expected[i]) <= 1.2e-7, $"pixel {pixels[i]}: {output[i]:R} against PyTorch's {expected[i]:R}");
        Assert.Equal(-1f, output[0]);
        Assert.Equal(1f, output[255]);
        Assert.Equal(NormalizeKind.Symmetric, Normalization.ParseKind("Symmetric"));
        Assert.Equal("symmetric", Normalization.Name(NormalizeKind.Symmetric));
    }

    [Fact]
    public void ScaleAndNone()
    {
        Assert.Equal(new Normalization(NormalizeKind.Scale, 0f, 255f), Normalization.Fit(NormalizeKind.Scale, Tiny(), [0]));
        Assert.Equal(new Normalization(NormalizeKind.None, 0f, 1f), Normalization.Fit(NormalizeKind.None, Tiny(), [0]));
        Assert.Equal([0f, 2f / 255f], Normalization.Scale.Apply(Tiny(), [0]).ToArray());
    }

    [Fact]
    public void ConstantPixels_CannotBeStandardized()
    {
        var set = new ImageSet([7, 7, 7, 7], [0, 1], 2);
        var e = Assert.Throws<FcnLabException>(() => Normalization.Fit(NormalizeKind.Standardize, set, [0, 1]));
        Assert.Contains("standard deviation is 0", e.Message);
        Assert.Contains("--normalize scale", e.Message);
        Assert.Throws<FcnLabException>(() => Normalization.Fit(NormalizeKind.Standardize, set, []));
    }

    [Theory]
    [InlineData("standardize", NormalizeKind.Standardize)]
    [InlineData("Scale", NormalizeKind.Scale)]
    [InlineData(" none ", NormalizeKind.None)]
    public void ParseKind(string text, NormalizeKind kind)
    {
        Assert.Equal(kind, Normalization.ParseKind(text));
        Assert.Equal(kind, Normalization.ParseKind(Normalization.Name(kind)));
    }

    [Fact]
    public void ParseKind_Invalid()
    {
        var e = Assert.Throws<FcnLabException>(() => Normalization.ParseKind("zscore"));
        Assert.Contains("standardize, scale, none", e.Message);
    }
}
