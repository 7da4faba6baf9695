using System.Diagnostics;
using FcnLab.Engine.Tensors;

namespace FcnLab.Benchmarks.Probes;

/// <summary>
/// Packing alone, in ns per packed element: op(A) blocks of the forward and weight-gradient shapes
/// (cache-resident), and op(B) from a 2000 x 1200 weight matrix, stored or read transposed (from memory).
/// </summary>
public static unsafe class PackProbe
{
    public static void Run(TextWriter output)
    {
        var x = GC.AllocateArray<float>(512 * 2000 + 64, pinned: true);
        var dst = GC.AllocateArray<float>(520 * 512 + 64, pinned: true);
        var w = GC.AllocateArray<float>(2000 * 1200 + 64, pinned: true);
        var bd = GC.AllocateArray<float>(512 * 1024 + 64, pinned: true);
        for (int i = 0; i < x.Length; i++) x[i] = i;
        for (int i = 0; i < w.Length; i++) w[i] = i;
        fixed (float* px = x, pd = dst, pw = w, pb = bd)
        {
            for (int rep = 0; rep < 3; rep++)
            {
                // A non-trans: 512 rows x kc 512, in cache after first pass
                long t0 = Stopwatch.GetTimestamp();
                for (int it = 0; it < 100; it++) GemmPack.A(false, px, 2000, 0, 512, 512, 512, 12, pd);
                double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                output.WriteLine($"A nontrans (cached): {s / 100 / (512.0 * 512) * 1e9:F3} ns/elem");
                t0 = Stopwatch.GetTimestamp();
                for (int it = 0; it < 100; it++) GemmPack.A(true, px, 512, 0, 512, 512, 512, 12, pd);
                s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                output.WriteLine($"A trans (cached): {s / 100 / (512.0 * 512) * 1e9:F3} ns/elem");
                // B rows: whole W (2000 x 1200) in kc blocks of 500, nc 1024 -> stream from memory
                t0 = Stopwatch.GetTimestamp();
                for (int it = 0; it < 10; it++)
                    for (int p0 = 0; p0 < 2000; p0 += 500)
                        for (int j0 = 0; j0 < 1200; j0 += 608)
                            GemmPack.BRows(pw, 1200, j0, Math.Min(608, 1200 - j0), p0, 500, 0, 500, 32, pb);
                s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                output.WriteLine($"B rows (W 9.6MB): {s / 10 / (2000.0 * 1200) * 1e9:F3} ns/elem");
                t0 = Stopwatch.GetTimestamp();
                for (int it = 0; it < 10; it++)
                    for (int p0 = 0; p0 < 1200; p0 += 400)
                        for (int t = 0; t < 2000 / 32; t++)
                            GemmPack.BTransposed(pw, 1200, t * 32, 32, p0, 400, 32, pb + (t % 32) * 400 * 32);
                s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                output.WriteLine($"B transposed (W 9.6MB): {s / 10 / (2000.0 * 1200) * 1e9:F3} ns/elem");
            }
        }
    }
}
