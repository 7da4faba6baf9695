namespace FcnLab.Engine.Tensors;

/// <summary>Which micro-kernel a <see cref="Gemm"/> uses; Auto picks the widest the CPU accelerates.</summary>
internal enum GemmKernelKind
{
    Auto,
    /// <summary>12 x 32 tile, 24 zmm accumulators (Avx512F).</summary>
    Avx512,
    /// <summary>6 x 16 tile, 12 ymm accumulators (Avx2 + Fma).</summary>
    Avx2,
    /// <summary>4 x 8 tile, Vector128 multiply-add; runs anywhere.</summary>
    Portable,
}
