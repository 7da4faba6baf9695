using System.Diagnostics;
using FcnLab.Engine.Tensors;

namespace FcnLab.Benchmarks.Probes;

/// <summary>The AVX-512 micro-kernel alone on cache-resident panels: the ceiling the blocked GEMM can reach.</summary>
public static unsafe class KernelProbe
{
    /// <summary>Three half-second measurements at kc 64 and at kc 256.</summary>
    public static void Run(TextWriter output)
    {
        foreach (int kc in new[] { 64, 256 })
            for (int i = 0; i < 3; i++) output.WriteLine($"AVX-512 12x32 kernel alone, kc={kc}: {Measure(kc, 0.5):F1} GFLOP/s");
    }

    /// <summary>GFLOP/s of the micro-kernel on <paramref name="kc"/>-deep panels over about <paramref name="seconds"/>.</summary>
    public static double Measure(int kc, double seconds)
    {
        var a = GC.AllocateArray<float>(GemmKernels.Avx512Mr * kc + 16, pinned: true);
        var b = GC.AllocateArray<float>(GemmKernels.Avx512Nr * kc + 16, pinned: true);
        var c = GC.AllocateArray<float>(GemmKernels.Avx512Mr * GemmKernels.Avx512Nr + 16, pinned: true);
        for (int i = 0; i < a.Length; i++) a[i] = 1e-3f;
        for (int i = 0; i < b.Length; i++) b[i] = 1e-3f;
        fixed (float* pa = a, pb = b, pc = c)
        {
            long calls = 1000;
            while (true)
            {
                long t0 = Stopwatch.GetTimestamp();
                for (long i = 0; i < calls; i++) GemmKernels.Avx512(kc, pa, pb, pc, GemmKernels.Avx512Nr, true, null, false, null, 0);
                double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                if (s >= seconds) return 2.0 * GemmKernels.Avx512Mr * GemmKernels.Avx512Nr * kc * calls / s / 1e9;
                calls *= 2;
            }
        }
    }
}
