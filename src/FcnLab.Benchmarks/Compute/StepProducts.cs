using System.Diagnostics;
using FcnLab.Engine.Tensors;

namespace FcnLab.Benchmarks.Compute;

/// <summary>The GEMMs of one training step of a dense network, each timed against the FMA peak of the same threads.</summary>
public static class StepProducts
{
    /// <summary>On a pool of <paramref name="threads"/>: the FMA peak of all of them together (about <paramref name="peakSeconds"/>), then every product against it.</summary>
    public static StepProductsResult Measure(int[] widths, int batch, int threads, double peakSeconds = 0.3, int repetitions = 9)
    {
        using var pool = new WorkerPool(threads);
        double peak = FmaPeak.MeasureParallel(pool, peakSeconds);
        return Measure(widths, batch, pool, peak, repetitions);
    }

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
        return new StepProductsResult(pool.Threads, gemm.KernelName, peakGflops, timings);
    }
}
