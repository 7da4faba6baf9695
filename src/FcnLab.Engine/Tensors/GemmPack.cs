using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FcnLab.Engine.Tensors;

/// <summary>
/// Packs panels of op(A) and op(B) into the layout the micro-kernels stream: for A, one micro-panel
/// of kc steps x mr floats per MR rows; for B, kc steps x nr floats per NR columns. Rows/columns past
/// the matrix edge are zero-filled so kernels never need edge cases. Transposes are handled here,
/// panel by panel, so a transposed copy of a whole operand is never made.
/// </summary>
internal static unsafe class GemmPack
{
    /// <summary>Packs rows [i0, i0 + rows) x steps [p0, p0 + kc) of op(A) as ceil(rows / mr) micro-panels.</summary>
    public static void A(bool transA, float* a, long lda, int i0, int rows, int p0, int kc, int mr, float* dst)
    {
        for (int t = 0; t < rows; t += mr, dst += (long)kc * mr)
        {
            int valid = Math.Min(mr, rows - t);
            if (transA) Contiguous(a + (long)p0 * lda + i0 + t, lda, kc, valid, mr, dst);
            else Strided(a + (long)(i0 + t) * lda + p0, lda, kc, valid, mr, dst);
        }
    }

    /// <summary>Packs steps [p0, p0 + kc) x columns [j0, j0 + cols) of op(B) as ceil(cols / nr) micro-panels.</summary>
    public static void B(bool transB, float* b, long ldb, int j0, int cols, int p0, int kc, int nr, float* dst)
    {
        for (int t = 0; t < cols; t += nr, dst += (long)kc * nr)
        {
            int valid = Math.Min(nr, cols - t);
            if (transB) Strided(b + (long)(j0 + t) * ldb + p0, ldb, kc, valid, nr, dst);
            else Contiguous(b + (long)p0 * ldb + j0 + t, ldb, kc, valid, nr, dst);
        }
    }

    /// <summary>Source lines already run along the panel width: step p is the contiguous src[p * ld .. + valid].</summary>
    private static void Contiguous(float* src, long ld, int kc, int valid, int width, float* dst)
    {
        for (int p = 0; p < kc; p++, src += ld, dst += width)
        {
            new ReadOnlySpan<float>(src, valid).CopyTo(new Span<float>(dst, valid));
            if (valid < width) new Span<float>(dst + valid, width - valid).Clear();
        }
    }

    /// <summary>Source lines run along k: line r is src[r * ld + p]; a transpose into the panel.</summary>
    private static void Strided(float* src, long ld, int kc, int valid, int width, float* dst)
    {
        int r = 0;
        // Four lines at a time: four sequential read streams, written as 16-byte groups per step.
        for (; r + 4 <= valid; r += 4)
        {
            float* s0 = src + r * ld, s1 = s0 + ld, s2 = s1 + ld, s3 = s2 + ld;
            float* d = dst + r;
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
        for (; r < valid; r++)
        {
            float* s = src + r * ld;
            float* d = dst + r;
            for (int p = 0; p < kc; p++, d += width) *d = s[p];
        }
        for (; r < width; r++)
        {
            float* d = dst + r;
            for (int p = 0; p < kc; p++, d += width) *d = 0f;
        }
    }
}
