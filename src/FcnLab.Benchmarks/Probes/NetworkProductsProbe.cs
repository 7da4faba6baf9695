using System.Diagnostics;
using FcnLab.Benchmarks.Compute;
using FcnLab.Engine.Tensors;

namespace FcnLab.Benchmarks.Probes;

/// <summary>
/// The quick look without BenchmarkDotNet: each product of the default network at batch 512, summed over
/// its layers, on 1 and 2 threads; Stopwatch median (and best) of <c>reps</c> calls after two warm-up calls.
/// </summary>
public static class NetworkProductsProbe
{
    public static void Run(TextWriter output, int reps = 15)
    {
        var net = new NetworkProducts(NetworkProducts.DefaultWidths, 512);
        foreach (int threads in new[] { 1, 2 })
        {
            using var pool = new WorkerPool(threads);
            var gemm = new Gemm(pool);
            foreach (var product in Enum.GetValues<Product>())
            {
                var times = new double[reps];
                net.Run(gemm, product);
                net.Run(gemm, product);
                for (int r = 0; r < reps; r++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    net.Run(gemm, product);
                    times[r] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                }
                Array.Sort(times);
                double median = times[reps / 2];
                output.WriteLine($"{threads} thread(s) {product,-15} median {median * 1e3,7:F2} ms  {net.Flops(product) / median / 1e9,6:F1} GFLOP/s  (best {net.Flops(product) / times[0] / 1e9:F1})");
            }
        }
    }
}
