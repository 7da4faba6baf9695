using System.Numerics;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>y = x if x > 0 else slope * x, elementwise (PyTorch's nn.LeakyReLU, negative_slope 0.01 by default).</summary>
public sealed class LeakyReLU : ElementwiseLayer
{
    public float NegativeSlope { get; }

    /// <param name="pool">Worker pool for large tensors (null: the calling thread; same results).</param>
    public LeakyReLU(float negativeSlope = 0.01f, WorkerPool? pool = null) : base(pool)
    {
        if (!float.IsFinite(negativeSlope))
            throw new FcnLabException($"LeakyReLU: the negative slope must be a finite number (got {negativeSlope}).");
        NegativeSlope = negativeSlope;
    }

    public override string Describe() => FormattableString.Invariant($"LeakyReLU(negative_slope={NegativeSlope})");

    // y = x > 0 ? x : slope * x
    protected override void Forward(ReadOnlySpan<float> xs, Span<float> ys)
    {
        var slope = new Vector<float>(NegativeSlope);
        int i = 0;
        for (; i <= xs.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var x = new Vector<float>(xs.Slice(i));
            Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<float>.Zero), x, x * slope).CopyTo(ys.Slice(i));
        }
        for (; i < xs.Length; i++) ys[i] = xs[i] > 0 ? xs[i] : xs[i] * NegativeSlope;
    }

    // dx = dy * (x > 0 ? 1 : slope)   (the input, not the output, decides: the slope may be negative)
    protected override void Backward(ReadOnlySpan<float> xs, ReadOnlySpan<float> ys, ReadOnlySpan<float> dys, Span<float> dxs)
    {
        var slope = new Vector<float>(NegativeSlope);
        int i = 0;
        for (; i <= xs.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var dy = new Vector<float>(dys.Slice(i));
            var positive = Vector.GreaterThan(new Vector<float>(xs.Slice(i)), Vector<float>.Zero);
            Vector.ConditionalSelect(positive, dy, dy * slope).CopyTo(dxs.Slice(i));
        }
        for (; i < xs.Length; i++) dxs[i] = xs[i] > 0 ? dys[i] : dys[i] * NegativeSlope;
    }
}
