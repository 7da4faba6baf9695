using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FcnLab.Engine.Layers;

/// <summary>
/// Copy, zero and add for the short rows of small images (a 10-pixel row of a 10x10 feature map):
/// inline vector code with a masked last piece, where a Span call per row costs more than the row.
/// Each element gets the same single operation in any path, so results do not depend on the path.
/// </summary>
internal static unsafe class Rows
{
    /// <summary>dst[0..n) = src[0..n)</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(float* src, float* dst, int n)
    {
        int i = 0;
        if (Avx512F.IsSupported)
        {
            for (; i + 16 <= n; i += 16) Vector512.Load(src + i).Store(dst + i);
            if (i < n)
            {
                var mask = Mask(n - i);
                Avx512F.MaskStore(dst + i, mask, Avx512F.MaskLoad(src + i, mask, Vector512<float>.Zero));
            }
            return;
        }
        for (; i + Vector<float>.Count <= n; i += Vector<float>.Count) Vector.Load(src + i).Store(dst + i);
        for (; i < n; i++) dst[i] = src[i];
    }

    /// <summary>dst[0..n) = 0</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Zero(float* dst, int n)
    {
        if (n <= 0) return;
        int i = 0;
        if (Avx512F.IsSupported)
        {
            for (; i + 16 <= n; i += 16) Vector512<float>.Zero.Store(dst + i);
            if (i < n) Avx512F.MaskStore(dst + i, Mask(n - i), Vector512<float>.Zero);
            return;
        }
        for (; i + Vector<float>.Count <= n; i += Vector<float>.Count) Vector<float>.Zero.Store(dst + i);
        for (; i < n; i++) dst[i] = 0f;
    }

    /// <summary>dst[0..n) += src[0..n)</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(float* src, float* dst, int n)
    {
        int i = 0;
        if (Avx512F.IsSupported)
        {
            for (; i + 16 <= n; i += 16) (Vector512.Load(dst + i) + Vector512.Load(src + i)).Store(dst + i);
            if (i < n)
            {
                var mask = Mask(n - i);
                var sum = Avx512F.MaskLoad(dst + i, mask, Vector512<float>.Zero) + Avx512F.MaskLoad(src + i, mask, Vector512<float>.Zero);
                Avx512F.MaskStore(dst + i, mask, sum);
            }
            return;
        }
        for (; i + Vector<float>.Count <= n; i += Vector<float>.Count) (Vector.Load(dst + i) + Vector.Load(src + i)).Store(dst + i);
        for (; i < n; i++) dst[i] += src[i];
    }

    /// <summary>The first <paramref name="count"/> of 16 lanes (1 to 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Mask(int count) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();
}
