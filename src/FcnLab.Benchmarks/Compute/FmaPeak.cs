using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

using FcnLab.Engine.Tensors;

namespace FcnLab.Benchmarks.Compute;

/// <summary>
/// The FMA ceiling: independent Vector512 (or Vector256) FMA chains, enough of them to cover the FMA
/// latency on every port, with no memory traffic. GEMM efficiency is quoted against this.
/// </summary>
public static class FmaPeak
{
    /// <summary>GFLOP/s of one thread over about <paramref name="seconds"/>.</summary>
    public static double Measure(double seconds)
    {
        long iterations = 1_000_000, flopsPerIteration;
        var sw = Stopwatch.StartNew();
        double elapsed;
        do
        {
            sw.Restart();
            flopsPerIteration = Chains(iterations);
            elapsed = sw.Elapsed.TotalSeconds;
            if (elapsed < seconds) iterations *= 2;
        } while (elapsed < seconds);
        return flopsPerIteration * (double)iterations / elapsed / 1e9;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static long Chains(long iterations)
    {
        if (Avx512F.IsSupported)
        {
            var m = Vector512.Create(0.999999f);
            var d = Vector512.Create(1e-7f);
            Vector512<float> a0 = Vector512<float>.One, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
            for (long i = 0; i < iterations; i++)
            {
                a0 = Avx512F.FusedMultiplyAdd(a0, m, d); a1 = Avx512F.FusedMultiplyAdd(a1, m, d);
                a2 = Avx512F.FusedMultiplyAdd(a2, m, d); a3 = Avx512F.FusedMultiplyAdd(a3, m, d);
                a4 = Avx512F.FusedMultiplyAdd(a4, m, d); a5 = Avx512F.FusedMultiplyAdd(a5, m, d);
                a6 = Avx512F.FusedMultiplyAdd(a6, m, d); a7 = Avx512F.FusedMultiplyAdd(a7, m, d);
                a8 = Avx512F.FusedMultiplyAdd(a8, m, d); a9 = Avx512F.FusedMultiplyAdd(a9, m, d);
                a10 = Avx512F.FusedMultiplyAdd(a10, m, d); a11 = Avx512F.FusedMultiplyAdd(a11, m, d);
            }
            Sink = (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11).ToScalar();
            return 12 * 16 * 2;
        }
        if (Fma.IsSupported)
        {
            var m = Vector256.Create(0.999999f);
            var d = Vector256.Create(1e-7f);
            Vector256<float> a0 = Vector256<float>.One, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0;
            for (long i = 0; i < iterations; i++)
            {
                a0 = Fma.MultiplyAdd(a0, m, d); a1 = Fma.MultiplyAdd(a1, m, d);
                a2 = Fma.MultiplyAdd(a2, m, d); a3 = Fma.MultiplyAdd(a3, m, d);
                a4 = Fma.MultiplyAdd(a4, m, d); a5 = Fma.MultiplyAdd(a5, m, d);
                a6 = Fma.MultiplyAdd(a6, m, d); a7 = Fma.MultiplyAdd(a7, m, d);
                a8 = Fma.MultiplyAdd(a8, m, d); a9 = Fma.MultiplyAdd(a9, m, d);
            }
            Sink = (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9).ToScalar();
            return 10 * 8 * 2;
        }
        throw new PlatformNotSupportedException("No FMA on this CPU.");
    }

    /// <summary>GFLOP/s of all the pool's threads running chains at once (their sum).</summary>
    public static double MeasureParallel(WorkerPool pool, double seconds)
    {
        var job = new PeakJob(seconds, pool.Threads);
        pool.Run(job, pool.Threads);
        return job.Results.Sum();
    }

    private sealed class PeakJob(double seconds, int threads) : IParallelJob
    {
        public double[] Results { get; } = new double[threads];

        public void Execute(int index) => Results[index] = Measure(seconds);
    }

    public static float Sink;
}
