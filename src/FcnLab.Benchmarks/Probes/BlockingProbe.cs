using System.Diagnostics;
using FcnLab.Engine.Tensors;

namespace FcnLab.Benchmarks.Probes;

/// <summary>
/// Block sizes side by side: the products of one default-network step, each timed with every
/// variant in turn (calls alternated, so all see the same machine), median ms per product and the
/// FLOP-weighted total per variant.
/// </summary>
public static unsafe class BlockingProbe
{
    public static void Run(TextWriter output, int threads, (int Kc, int Mc, int Nc, int Jobs)[] variants, int reps = 15)
    {
        using var pool = new WorkerPool(threads);
        var gemms = variants.Select(v => new Gemm(pool, GemmKernelKind.Auto, v.Kc, v.Mc, v.Nc, v.Jobs)).ToArray();
        var products = new (string Name, bool Ta, bool Tb, int M, int N, int K)[]
        {
            ("1 F", false, false, 512, 1200, 784), ("1 WG", true, false, 784, 1200, 512),
            ("2 F", false, false, 512, 2000, 1200), ("2 WG", true, false, 1200, 2000, 512), ("2 IG", false, true, 512, 1200, 2000),
            ("3 F", false, false, 512, 800, 2000), ("3 WG", true, false, 2000, 800, 512), ("3 IG", false, true, 512, 2000, 800),
        };
        var a = GC.AllocateArray<float>(2000 * 2000 + 64, pinned: true);
        var b = GC.AllocateArray<float>(2000 * 2000 + 64, pinned: true);
        var c = GC.AllocateArray<float>(2000 * 2000 + 64, pinned: true);
        var bias = GC.AllocateArray<float>(2000 + 64, pinned: true);
        var rng = new System.Random(1);
        for (int i = 0; i < a.Length; i++) { a[i] = (float)rng.NextDouble() - 0.5f; b[i] = (float)rng.NextDouble() - 0.5f; }
        var totalMs = new double[variants.Length];
        double flops = 0;
        output.WriteLine($"{threads} thread(s); variants (kc, mc, nc, jobs/thread): {string.Join("  ", variants.Select((v, i) => $"[{i}] {v}"))}");
        fixed (float* pa = a, pb = b, pc = c, pbias = bias)
        {
            foreach (var p in products)
            {
                var times = variants.Select(_ => new List<double>()).ToArray();
                int lda = p.Ta ? p.M : p.K, ldb = p.Tb ? p.K : p.N;
                for (int r = -2; r < reps; r++)
                    for (int v = 0; v < variants.Length; v++)
                    {
                        long t0 = Stopwatch.GetTimestamp();
                        gemms[v].Multiply(p.Ta, p.Tb, p.M, p.N, p.K, pa, lda, pb, ldb, pc, p.N, accumulate: p.Name.EndsWith("WG"), p.Name.EndsWith(" F") ? pbias : null);
                        if (r >= 0) times[v].Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                    }
                double f = 2.0 * p.M * p.N * p.K;
                flops += f;
                var medians = times.Select(t => t.Order().ElementAt(t.Count / 2)).ToArray();
                for (int v = 0; v < variants.Length; v++) totalMs[v] += medians[v];
                output.WriteLine($"  {p.Name,-5} {p.M,5}x{p.N,5}x{p.K,5}: " + string.Join("  ", medians.Select((m, v) => $"[{v}] {m,6:F2} ms {f / m / 1e6,6:F1}")));
            }
        }
        output.WriteLine("  total GFLOP/s: " + string.Join("  ", totalMs.Select((t, v) => $"[{v}] {flops / t / 1e6:F1}")));
    }
}
