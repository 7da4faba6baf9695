using System.Diagnostics;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Benchmarks;

/// <summary>One product of one layer: its median time over repetitions and what that is worth.</summary>
public sealed record ProductTiming(int Layer, Product Product, int M, int N, int K, double Flops, double MedianSeconds, double PeakGflops)
{
    public double Gflops => Flops / MedianSeconds / 1e9;
    public double PercentOfPeak => 100 * Gflops / PeakGflops;
}

/// <summary>The GEMMs of one training step of a network, each timed on its own, and their FLOP-weighted total.</summary>
public sealed record StepProductsResult(int Threads, double PeakGflops, IReadOnlyList<ProductTiming> Products)
{
    public double TotalFlops => Products.Sum(p => p.Flops);
    public double TotalSeconds => Products.Sum(p => p.MedianSeconds);
    /// <summary>FLOP-weighted: all products' operations over all their (median) time.</summary>
    public double TotalGflops => TotalFlops / TotalSeconds / 1e9;
    public double TotalPercentOfPeak => 100 * TotalGflops / PeakGflops;
}

public static class StepProducts
{
    /// <summary>Times every product (forward, weight gradient, input gradient) of every layer; median of <paramref name="repetitions"/> after two warm-up calls.</summary>
    public static StepProductsResult Measure(int[] widths, int batch, WorkerPool pool, double peakGflops, int repetitions = 9)
    {
        var net = new NetworkProducts(widths, batch);
        var gemm = new Gemm(pool);
        var timings = new List<ProductTiming>();
        var times = new double[repetitions];
        for (int layer = 0; layer < net.Layers; layer++)
        {
            foreach (var product in Enum.GetValues<Product>())
            {
                double flops = net.Flops(product, layer);
                if (flops == 0) continue; // the first layer's input gradient is never computed
                net.Run(gemm, product, layer);
                net.Run(gemm, product, layer);
                for (int r = 0; r < repetitions; r++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    net.Run(gemm, product, layer);
                    times[r] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                }
                Array.Sort(times);
                var (m, n, k) = product switch
                {
                    Product.Forward => (batch, widths[layer + 1], widths[layer]),
                    Product.WeightGradient => (widths[layer], widths[layer + 1], batch),
                    _ => (batch, widths[layer], widths[layer + 1]),
                };
                timings.Add(new ProductTiming(layer, product, m, n, k, flops, times[repetitions / 2], peakGflops));
            }
        }
        return new StepProductsResult(pool.Threads, peakGflops, timings);
    }
}
