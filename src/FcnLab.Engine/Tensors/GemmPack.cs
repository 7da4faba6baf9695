using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FcnLab.Engine.Tensors;

/// <summary>
/// Packs panels of op(A) and op(B) into the layout the micro-kernels stream: for A, one micro-panel
/// of kc steps x mr floats per MR rows; for B, kc steps x nr floats per NR columns. Rows/columns past
/// the matrix edge are zero-filled so kernels never need edge cases. Transposes are handled here,
/// panel by panel, so a transposed copy of a whole operand is never made.
/// <para>
/// Loop orders follow the source: a source stored along the panel width is read row by row across
/// all micro-panels (walking one strip per panel down a large matrix touches a new page per row and
/// thrashes the TLB); a source stored along k is read as a few long sequential streams.
/// </para>
/// </summary>
/// <remarks>Hot loops are compiled fully optimized at once: a training run should not spend its
/// first steps in tier-0 packing code.</remarks>
internal static unsafe class GemmPack
{
    /// <summary>Packs rows [i0, i0 + rows) x steps [p0, p0 + kc) of op(A) as ceil(rows / mr) micro-panels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void A(bool transA, float* a, long lda, int i0, int rows, int p0, int kc, int mr, float* dst)
    {
        if (transA)
        {
            Rows(a + (long)p0 * lda + i0, lda, kc, rows, mr, (long)kc * mr, dst);
            return;
        }
        for (int t = 0; t < rows; t += mr, dst += (long)kc * mr)
        {
            int valid = Math.Min(mr, rows - t);
            float* src = a + (long)(i0 + t) * lda + p0;
            int r = 0;
            if (Avx.IsSupported)
                for (; r + 8 <= valid; r += 8) Transpose8(src + r * lda, lda, kc, mr, dst + r);
            for (; r + 4 <= valid; r += 4) Transpose4(src + r * lda, lda, kc, mr, dst + r);
            for (; r < valid; r++) Transpose1(src + r * lda, kc, mr, dst + r);
            for (; r < mr; r++) Zero1(kc, mr, dst + r);
        }
    }

    /// <summary>
    /// Packs steps [q0, q1) of the kc block starting at p0 of op(B), columns [j0, j0 + cols), when B
    /// is stored [k x n]: the block's micro-panels start at <paramref name="block"/>, kc x nr floats apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BRows(float* b, long ldb, int j0, int cols, int p0, int kc, int q0, int q1, int nr, float* block) =>
        Rows(b + (long)(p0 + q0) * ldb + j0, ldb, q1 - q0, cols, nr, (long)kc * nr, block + (long)q0 * nr);

    /// <summary>
    /// Packs one micro-panel of op(B) (steps [p0, p0 + kc), columns [j0, j0 + valid), zero-padded
    /// to nr) when B is stored [n x k] and read transposed: each stored row is one stream along k.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BTransposed(float* b, long ldb, int j0, int valid, int p0, int kc, int nr, float* dst)
    {
        Transpose(b + (long)j0 * ldb + p0, ldb, valid, kc, dst, nr);
        for (int r = valid; r < nr; r++) Zero1(kc, nr, dst + r);
    }

    /// <summary>dst[j * ldd + i] = src[i * lds + j] for i &lt; rows, j &lt; cols: a plain transposed copy, by 8 x 8 register transposes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose(float* src, long lds, int rows, int cols, float* dst, int ldd)
    {
        int r = 0;
        if (Avx.IsSupported)
            for (; r + 8 <= rows; r += 8) Transpose8(src + r * lds, lds, cols, ldd, dst + r);
        for (; r + 4 <= rows; r += 4) Transpose4(src + r * lds, lds, cols, ldd, dst + r);
        for (; r < rows; r++) Transpose1(src + r * lds, cols, ldd, dst + r);
    }

    /// <summary>
    /// Source rows run along the panel width: step p is src[p * ld .. + cols], split over micro-panels
    /// of <paramref name="width"/> placed <paramref name="panelStride"/> floats apart. Walks 16 steps
    /// per panel at a time: few enough source pages for the TLB, and one sequential write stream
    /// (panels lie kc x width floats apart, often a multiple of 4 KB, so writing all of them per
    /// step would fight over the same cache sets).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows(float* src, long ld, int steps, int cols, int width, long panelStride, float* dst)
    {
        const int Group = 16;
        for (int g = 0; g < steps; g += Group)
        {
            int ge = Math.Min(steps, g + Group);
            float* panel = dst + (long)g * width;
            for (int t = 0; t < cols; t += width, panel += panelStride)
            {
                int valid = Math.Min(width, cols - t);
                float* s = src + g * ld + t, d = panel;
                for (int p = g; p < ge; p++, s += ld, d += width)
                {
                    // Explicit vectors: a memmove call per 48-128 bytes costs more than the copy itself.
                    int j = 0;
                    for (; j + 8 <= valid; j += 8) Vector256.Store(Vector256.Load(s + j), d + j);
                    if (j + 4 <= valid)
                    {
                        Vector128.Store(Vector128.Load(s + j), d + j);
                        j += 4;
                    }
                    for (; j < valid; j++) d[j] = s[j];
                    for (; j < width; j++) d[j] = 0f;
                }
            }
        }
    }

    /// <summary>
    /// Eight source lines along k into eight adjacent panel columns, by 8 x 8 register transposes:
    /// 8 loads, 24 shuffles and 8 stores per 64 floats (the 4 x 4 version needs 16, 32 and 16).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8(float* src, long ld, int kc, int width, float* d)
    {
        int p = 0;
        for (; p + 8 <= kc; p += 8, d += 8 * width)
        {
            float* s = src + p;
            Vector256<float> r0 = Avx.LoadVector256(s), r1 = Avx.LoadVector256(s + ld);
            Vector256<float> r2 = Avx.LoadVector256(s + 2 * ld), r3 = Avx.LoadVector256(s + 3 * ld);
            Vector256<float> r4 = Avx.LoadVector256(s + 4 * ld), r5 = Avx.LoadVector256(s + 5 * ld);
            Vector256<float> r6 = Avx.LoadVector256(s + 6 * ld), r7 = Avx.LoadVector256(s + 7 * ld);
            // Pairs interleaved, then quads, then 128-bit halves swapped into place.
            Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
            Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
            Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
            Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
            Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
            Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
            Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
            Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
            Avx.Store(d, Avx.Permute2x128(u0, u4, 0x20));
            Avx.Store(d + width, Avx.Permute2x128(u1, u5, 0x20));
            Avx.Store(d + 2 * width, Avx.Permute2x128(u2, u6, 0x20));
            Avx.Store(d + 3 * width, Avx.Permute2x128(u3, u7, 0x20));
            Avx.Store(d + 4 * width, Avx.Permute2x128(u0, u4, 0x31));
            Avx.Store(d + 5 * width, Avx.Permute2x128(u1, u5, 0x31));
            Avx.Store(d + 6 * width, Avx.Permute2x128(u2, u6, 0x31));
            Avx.Store(d + 7 * width, Avx.Permute2x128(u3, u7, 0x31));
        }
        if (p < kc)
        {
            Transpose4(src + p, ld, kc - p, width, d);
            Transpose4(src + 4 * ld + p, ld, kc - p, width, d + 4);
        }
    }

    /// <summary>Four source lines along k (line r at src + r * ld) into four adjacent panel columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4(float* src, long ld, int kc, int width, float* d)
    {
        float* s0 = src, s1 = s0 + ld, s2 = s1 + ld, s3 = s2 + ld;
        int p = 0;
        if (Sse.IsSupported)
        {
            // 4 x 4 register transposes: 4 loads and 4 stores per 16 floats instead of 16 of each.
            for (; p + 4 <= kc; p += 4, d += 4 * width)
            {
                Vector128<float> x0 = Sse.LoadVector128(s0 + p), x1 = Sse.LoadVector128(s1 + p);
                Vector128<float> x2 = Sse.LoadVector128(s2 + p), x3 = Sse.LoadVector128(s3 + p);
                Vector128<float> t0 = Sse.UnpackLow(x0, x1), t1 = Sse.UnpackLow(x2, x3);
                Vector128<float> t2 = Sse.UnpackHigh(x0, x1), t3 = Sse.UnpackHigh(x2, x3);
                Sse.Store(d, Sse.MoveLowToHigh(t0, t1));
                Sse.Store(d + width, Sse.MoveHighToLow(t1, t0));
                Sse.Store(d + 2 * width, Sse.MoveLowToHigh(t2, t3));
                Sse.Store(d + 3 * width, Sse.MoveHighToLow(t3, t2));
            }
        }
        for (; p < kc; p++, d += width)
        {
            d[0] = s0[p];
            d[1] = s1[p];
            d[2] = s2[p];
            d[3] = s3[p];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose1(float* s, int kc, int width, float* d)
    {
        for (int p = 0; p < kc; p++, d += width) *d = s[p];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Zero1(int kc, int width, float* d)
    {
        for (int p = 0; p < kc; p++, d += width) *d = 0f;
    }
}
