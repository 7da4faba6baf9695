using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FcnLab.Engine.Tensors;

/// <summary>
/// Register-tiled micro-kernels: C[MR x NR] (+)= Ap * Bp over kc steps, where Ap holds MR floats per
/// step (a packed column of op(A)) and Bp NR floats per step (a packed row of op(B)). The packed
/// panels are zero-padded, so a kernel always computes the full tile; the caller points it at a
/// scratch tile when the real one would run past C's edge. Epilogue order is fixed:
/// sum, then + C (when load), then + bias[j] (when bias != null), then ReLU (when relu), then zero where
/// mask[i, j] is not above 0 (when mask != null; mask is stored like C, row stride ldm).
/// </summary>
internal static unsafe class GemmKernels
{
    public const int Avx512Mr = 12, Avx512Nr = 32;
    public const int Avx2Mr = 6, Avx2Nr = 16;
    public const int PortableMr = 4, PortableNr = 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Finish512(Vector512<float> acc, float* c, bool load, float* bias, bool relu, float* mask)
    {
        if (load) acc += Vector512.Load(c);
        if (bias != null) acc += Vector512.Load(bias);
        // x < 0 ? 0 : x, so NaN and -0 pass through as in the scalar edge path.
        if (relu) acc = Vector512.ConditionalSelect(Vector512.LessThan(acc, Vector512<float>.Zero), Vector512<float>.Zero, acc);
        if (mask != null) acc = Vector512.ConditionalSelect(Vector512.GreaterThan(Vector512.Load(mask), Vector512<float>.Zero), acc, Vector512<float>.Zero);
        return acc;
    }

    /// <summary>12 x 32: 24 accumulators + 2 B vectors + 1 broadcast fit the 32 zmm registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Avx512(int kc, float* a, float* b, float* c, long ldc, bool load, float* bias, bool relu, float* mask, long ldm)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default;
        Vector512<float> c90 = default, c91 = default, cA0 = default, cA1 = default, cB0 = default, cB1 = default;
        // C is usually out in L3 or memory (one pass per kc block); start fetching the tile now so
        // the epilogue does not stall on 24 cache misses.
        for (int row = 0; row < Avx512Mr; row++)
        {
            Sse.Prefetch0(c + row * ldc);
            Sse.Prefetch0(c + row * ldc + 16);
        }
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            Vector512<float> x;
            x = Vector512.Create(a[0]); c00 = Avx512F.FusedMultiplyAdd(x, b0, c00); c01 = Avx512F.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[1]); c10 = Avx512F.FusedMultiplyAdd(x, b0, c10); c11 = Avx512F.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[2]); c20 = Avx512F.FusedMultiplyAdd(x, b0, c20); c21 = Avx512F.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[3]); c30 = Avx512F.FusedMultiplyAdd(x, b0, c30); c31 = Avx512F.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[4]); c40 = Avx512F.FusedMultiplyAdd(x, b0, c40); c41 = Avx512F.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[5]); c50 = Avx512F.FusedMultiplyAdd(x, b0, c50); c51 = Avx512F.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a[6]); c60 = Avx512F.FusedMultiplyAdd(x, b0, c60); c61 = Avx512F.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a[7]); c70 = Avx512F.FusedMultiplyAdd(x, b0, c70); c71 = Avx512F.FusedMultiplyAdd(x, b1, c71);
            x = Vector512.Create(a[8]); c80 = Avx512F.FusedMultiplyAdd(x, b0, c80); c81 = Avx512F.FusedMultiplyAdd(x, b1, c81);
            x = Vector512.Create(a[9]); c90 = Avx512F.FusedMultiplyAdd(x, b0, c90); c91 = Avx512F.FusedMultiplyAdd(x, b1, c91);
            x = Vector512.Create(a[10]); cA0 = Avx512F.FusedMultiplyAdd(x, b0, cA0); cA1 = Avx512F.FusedMultiplyAdd(x, b1, cA1);
            x = Vector512.Create(a[11]); cB0 = Avx512F.FusedMultiplyAdd(x, b0, cB0); cB1 = Avx512F.FusedMultiplyAdd(x, b1, cB1);
            a += Avx512Mr;
            b += Avx512Nr;
        }
        float* bias1 = bias == null ? null : bias + 16;
        float* r = c;
        // With no mask, m and m1 stay null (the steps below add ldm = 0 to them).
        if (mask == null) ldm = 0;
        float* m = mask, m1 = mask == null ? null : mask + 16;
        Finish512(c00, r, load, bias, relu, m).Store(r); Finish512(c01, r + 16, load, bias1, relu, m1).Store(r + 16); r += ldc; m += ldm; m1 += ldm;
        Finish512(c10, r, load, bias, relu, m).Store(r); Finish512(c11, r + 16, load, bias1, relu, m1).Store(r + 16); r += ldc; m += ldm; m1 += ldm;
        Finish512(c20, r, load, bias, relu, m).Store(r); Finish512(c21, r + 16, load, bias1, relu, m1).Store(r + 16); r += ldc; m += ldm; m1 += ldm;
        Finish512(c30, r, load, bias, relu, m).Store(r); Finish512(c31, r + 16, load, bias1, relu, m1).Store(r + 16); r += ldc; m += ldm; m1 += ldm;
        Finish512(c40, r, load, bias, relu, m).Store(r); Finish512(c41, r + 16, load, bias1, relu, m1).Store(r + 16); r += ldc; m += ldm; m1 += ldm;
        Finish512(c50, r, load, bias, relu, m).Store(r); Finish512(c51, r + 16, load, bias1, relu, m1).Store(r + 16); r += ldc; m += ldm; m1 += ldm;
        Finish512(c60, r, load, bias, relu, m).Store(r); Finish512(c61, r + 16, load, bias1, relu, m1).Store(r + 16); r += ldc; m += ldm; m1 += ldm;
        Finish512(c70, r, load, bias, relu, m).Store(r); Finish512(c71, r + 16, load, bias1, relu, m1).Store(r + 16); r += ldc; m += ldm; m1 += ldm;
        Finish512(c80, r, load, bias, relu, m).Store(r); Finish512(c81, r + 16, load, bias1, relu, m1).Store(r + 16); r += ldc; m += ldm; m1 += ldm;
        Finish512(c90, r, load, bias, relu, m).Store(r); Finish512(c91, r + 16, load, bias1, relu, m1).Store(r + 16); r += ldc; m += ldm; m1 += ldm;
        Finish512(cA0, r, load, bias, relu, m).Store(r); Finish512(cA1, r + 16, load, bias1, relu, m1).Store(r + 16); r += ldc; m += ldm; m1 += ldm;
        Finish512(cB0, r, load, bias, relu, m).Store(r); Finish512(cB1, r + 16, load, bias1, relu, m1).Store(r + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Finish256(Vector256<float> acc, float* c, bool load, float* bias, bool relu, float* mask)
    {
        if (load) acc += Vector256.Load(c);
        if (bias != null) acc += Vector256.Load(bias);
        // x < 0 ? 0 : x, so NaN and -0 pass through as in the scalar edge path.
        if (relu) acc = Vector256.ConditionalSelect(Vector256.LessThan(acc, Vector256<float>.Zero), Vector256<float>.Zero, acc);
        if (mask != null) acc = Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.Load(mask), Vector256<float>.Zero), acc, Vector256<float>.Zero);
        return acc;
    }

    /// <summary>6 x 16: 12 accumulators + 2 B vectors + 1 broadcast fit the 16 ymm registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Avx2(int kc, float* a, float* b, float* c, long ldc, bool load, float* bias, bool relu, float* mask, long ldm)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            Vector256<float> x;
            x = Vector256.Create(a[0]); c00 = Fma.MultiplyAdd(x, b0, c00); c01 = Fma.MultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[1]); c10 = Fma.MultiplyAdd(x, b0, c10); c11 = Fma.MultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[2]); c20 = Fma.MultiplyAdd(x, b0, c20); c21 = Fma.MultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[3]); c30 = Fma.MultiplyAdd(x, b0, c30); c31 = Fma.MultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[4]); c40 = Fma.MultiplyAdd(x, b0, c40); c41 = Fma.MultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[5]); c50 = Fma.MultiplyAdd(x, b0, c50); c51 = Fma.MultiplyAdd(x, b1, c51);
            a += Avx2Mr;
            b += Avx2Nr;
        }
        float* bias1 = bias == null ? null : bias + 8;
        float* r = c;
        // With no mask, m and m1 stay null (the steps below add ldm = 0 to them).
        if (mask == null) ldm = 0;
        float* m = mask, m1 = mask == null ? null : mask + 8;
        Finish256(c00, r, load, bias, relu, m).Store(r); Finish256(c01, r + 8, load, bias1, relu, m1).Store(r + 8); r += ldc; m += ldm; m1 += ldm;
        Finish256(c10, r, load, bias, relu, m).Store(r); Finish256(c11, r + 8, load, bias1, relu, m1).Store(r + 8); r += ldc; m += ldm; m1 += ldm;
        Finish256(c20, r, load, bias, relu, m).Store(r); Finish256(c21, r + 8, load, bias1, relu, m1).Store(r + 8); r += ldc; m += ldm; m1 += ldm;
        Finish256(c30, r, load, bias, relu, m).Store(r); Finish256(c31, r + 8, load, bias1, relu, m1).Store(r + 8); r += ldc; m += ldm; m1 += ldm;
        Finish256(c40, r, load, bias, relu, m).Store(r); Finish256(c41, r + 8, load, bias1, relu, m1).Store(r + 8); r += ldc; m += ldm; m1 += ldm;
        Finish256(c50, r, load, bias, relu, m).Store(r); Finish256(c51, r + 8, load, bias1, relu, m1).Store(r + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Finish128(Vector128<float> acc, float* c, bool load, float* bias, bool relu, float* mask)
    {
        if (load) acc += Vector128.Load(c);
        if (bias != null) acc += Vector128.Load(bias);
        // x < 0 ? 0 : x, so NaN and -0 pass through as in the scalar edge path.
        if (relu) acc = Vector128.ConditionalSelect(Vector128.LessThan(acc, Vector128<float>.Zero), Vector128<float>.Zero, acc);
        if (mask != null) acc = Vector128.ConditionalSelect(Vector128.GreaterThan(Vector128.Load(mask), Vector128<float>.Zero), acc, Vector128<float>.Zero);
        return acc;
    }

    /// <summary>4 x 8 with separate multiply and add (no FMA assumed), for CPUs without AVX2.</summary>
    public static void Portable(int kc, float* a, float* b, float* c, long ldc, bool load, float* bias, bool relu, float* mask, long ldm)
    {
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector128<float> c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.Load(b);
            var b1 = Vector128.Load(b + 4);
            Vector128<float> x;
            x = Vector128.Create(a[0]); c00 += x * b0; c01 += x * b1;
            x = Vector128.Create(a[1]); c10 += x * b0; c11 += x * b1;
            x = Vector128.Create(a[2]); c20 += x * b0; c21 += x * b1;
            x = Vector128.Create(a[3]); c30 += x * b0; c31 += x * b1;
            a += PortableMr;
            b += PortableNr;
        }
        float* bias1 = bias == null ? null : bias + 4;
        float* r = c;
        // With no mask, m and m1 stay null (the steps below add ldm = 0 to them).
        if (mask == null) ldm = 0;
        float* m = mask, m1 = mask == null ? null : mask + 4;
        Finish128(c00, r, load, bias, relu, m).Store(r); Finish128(c01, r + 4, load, bias1, relu, m1).Store(r + 4); r += ldc; m += ldm; m1 += ldm;
        Finish128(c10, r, load, bias, relu, m).Store(r); Finish128(c11, r + 4, load, bias1, relu, m1).Store(r + 4); r += ldc; m += ldm; m1 += ldm;
        Finish128(c20, r, load, bias, relu, m).Store(r); Finish128(c21, r + 4, load, bias1, relu, m1).Store(r + 4); r += ldc; m += ldm; m1 += ldm;
        Finish128(c30, r, load, bias, relu, m).Store(r); Finish128(c31, r + 4, load, bias1, relu, m1).Store(r + 4);
    }
}
