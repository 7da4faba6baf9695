using FcnLab.Benchmarks.Compute;
using FcnLab.Engine.Tensors;

namespace FcnLab.Benchmarks.Tests.Compute;

/// <summary>What the products harness issues and how it counts (not how fast: speed is for the benchmarks themselves).</summary>
public class StepProductsTests
{
    [Fact]
    public void Flops_AreTwoMnkPerLayer_AndTheFirstLayersInputGradientIsNeverIssued()
    {
        var net = new NetworkProducts([7, 5, 3], batch: 4);
        Assert.Equal(2, net.Layers);
        Assert.Equal(2.0 * 4 * (7 * 5 + 5 * 3), net.Flops(Product.Forward));
        Assert.Equal(2.0 * 4 * (7 * 5 + 5 * 3), net.Flops(Product.WeightGradient));
        Assert.Equal(0, net.Flops(Product.InputGradient, 0));
        Assert.Equal(2.0 * 4 * 5 * 3, net.Flops(Product.InputGradient));
    }

    [Fact]
    public void Measure_TimesEveryIssuedProduct_WithItsShape()
    {
        var r = StepProducts.Measure([7, 5, 3], 4, threads: 1, peakSeconds: 0.01, repetitions: 3);
        Assert.Equal(1, r.Threads);
        Assert.False(string.IsNullOrEmpty(r.Kernel));
        Assert.True(r.PeakGflops > 0);
        Assert.Equal(
            [(0, Product.Forward, 4, 5, 7), (0, Product.WeightGradient, 7, 5, 4),
             (1, Product.Forward, 4, 3, 5), (1, Product.WeightGradient, 5, 3, 4), (1, Product.InputGradient, 4, 5, 3)],
            r.Products.Select(p => (p.Layer, p.Product, p.M, p.N, p.K)));
        Assert.All(r.Products, p => Assert.Equal(2.0 * p.M * p.N * p.K, p.Flops));
        Assert.All(r.Products, p => Assert.True(p.MedianSeconds > 0));
        Assert.Equal(r.Products.Sum(p => p.Flops), r.TotalFlops);
    }

    [Fact]
    public void FmaPeak_OfOneThreadAndOfAPool_IsPositive()
    {
        Assert.True(FmaPeak.Measure(0.01) > 0);
        using var pool = new WorkerPool(2);
        Assert.True(FmaPeak.MeasureParallel(pool, 0.01) > 0);
    }
}
