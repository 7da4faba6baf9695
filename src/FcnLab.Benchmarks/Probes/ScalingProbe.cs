using System.Diagnostics;
using FcnLab.Benchmarks.Compute;
using FcnLab.Engine.Tensors;

namespace FcnLab.Benchmarks.Probes;

/// <summary>
/// The GEMM's compute loops alone (packed panels, no packing, no pool, no barriers), on one thread and
/// on two threads at once with buffers of their own: how far the micro-kernel with a realistic cache
/// footprint scales from one core to two on this machine.
/// </summary>
public static unsafe class ScalingProbe
{
    public static void Run(TextWriter output)
    {
        const int mr = GemmKernels.Avx512Mr, nr = GemmKernels.Avx512Nr;
        const int rows = 132, tiles = 16, kc = 400, n = 2000;
        double Loop(float* a, float* b, float* c, double seconds)
        {
            long calls = 0;
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed.TotalSeconds < seconds)
            {
                for (int t = 0; t < tiles; t++)
                    for (int ir = 0; ir < rows; ir += mr)
                        GemmKernels.Avx512(kc, a + ir * kc, b + t * kc * nr, c + ir * n + t * nr, n, true, null, false, null, 0);
                calls++;
            }
            return 2.0 * rows * tiles * nr * kc * calls / sw.Elapsed.TotalSeconds / 1e9;
        }
        var bufs = Enumerable.Range(0, 2).Select(_ => (
            A: GC.AllocateArray<float>(rows * kc + 16, pinned: true),
            B: GC.AllocateArray<float>(tiles * nr * kc + 16, pinned: true),
            C: GC.AllocateArray<float>(512 * n + 16, pinned: true))).ToArray();
        foreach (var (a, b, _) in bufs) { Array.Fill(a, 1e-3f); Array.Fill(b, 1e-3f); }
        for (int round = 0; round < 3; round++)
        {
            double one;
            fixed (float* a = bufs[0].A, b = bufs[0].B, c = bufs[0].C) one = Loop(a, b, c, 1.0);
            var results = new double[2];
            var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
            {
                fixed (float* a = bufs[i].A, b = bufs[i].B, c = bufs[i].C) results[i] = Loop(a, b, c, 1.0);
            })).ToArray();
            foreach (var t in threads) t.Start();
            foreach (var t in threads) t.Join();
            double peak1 = FmaPeak.Measure(1.0);
            var peaks = new double[2];
            threads = Enumerable.Range(0, 2).Select(i => new Thread(() => peaks[i] = FmaPeak.Measure(1.0))).ToArray();
            foreach (var t in threads) t.Start();
            foreach (var t in threads) t.Join();
            output.WriteLine($"compute loops: 1 thread {one:F1} GFLOP/s; 2 threads {results[0]:F1} + {results[1]:F1} = {results.Sum():F1} ({results.Sum() / one:F2}x); " +
                $"FMA chains: 1 thread {peak1:F1}, 2 threads {peaks[0]:F1} + {peaks[1]:F1} = {peaks.Sum():F1} ({peaks.Sum() / peak1:F2}x)");
        }
    }
}
