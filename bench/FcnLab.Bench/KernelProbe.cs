using System.Diagnostics;
using FcnLab.Engine.Tensors;

namespace FcnLab.Bench;

/// <summary>The AVX-512 micro-kernel alone on cache-resident panels: the ceiling the blocked GEMM can reach.</summary>
public static unsafe class KernelProbe
{
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
