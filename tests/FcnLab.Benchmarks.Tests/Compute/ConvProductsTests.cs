using FcnLab.Benchmarks.Compute;

namespace FcnLab.Benchmarks.Tests.Compute;

/// <summary>What the convolution harness times and how it counts (not how fast).</summary>
public class ConvProductsTests
{
    [Fact]
    public void Measure_TimesEveryConv2d_ForwardAndBackward_WithTwoMnkFlops()
    {
        var r = ConvProducts.Measure("conv(4,3,pad=1) relu maxpool(2) conv(6,5) flatten dense(classes)", batch: 3, threads: 1, peakGflops: 100, repetitions: 3);
        Assert.Equal(
            [(0, "forward"), (0, "backward (weight gradient only)"), (3, "forward"), (3, "backward")],
            r.Passes.Select(p => (p.Layer, p.Pass)));
        // Forward: 2 * batch * out * (in * k * k) * output pixels; the second layer's backward is twice that.
        Assert.Equal(2.0 * 3 * 4 * 9 * 28 * 28, r.Passes[0].Flops);
        Assert.Equal(r.Passes[0].Flops, r.Passes[1].Flops);
        Assert.Equal(2.0 * 3 * 6 * (4 * 25) * 10 * 10, r.Passes[2].Flops);
        Assert.Equal(2 * r.Passes[2].Flops, r.Passes[3].Flops);
        Assert.All(r.Passes, p => Assert.True(p.MedianSeconds > 0 && p.PercentOfPeak > 0));
        Assert.Equal(r.Passes.Sum(p => p.Flops), r.TotalFlops);
    }
}
