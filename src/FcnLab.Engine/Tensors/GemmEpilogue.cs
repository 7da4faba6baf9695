namespace FcnLab.Engine.Tensors;

/// <summary>
/// What <see cref="Gemm.Multiply(bool, bool, int, int, int, float*, int, float*, int, float*, int, bool, float*, GemmEpilogue)"/>
/// applies to each finished element of C, after + C and + bias, while the tile is still in registers
/// (saves a separate pass over C).
/// </summary>
public enum GemmEpilogue
{
    None,
    /// <summary>max(0, x); NaN passes through.</summary>
    Relu,

    /// <summary>
    /// x where mask[i, j] &gt; 0, else 0: ReLU's backward folded into the product that makes the
    /// gradient, with mask the ReLU's output (stored like C, row stride ldm).
    /// </summary>
    PositiveMask,
}
