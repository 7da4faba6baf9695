using System.Numerics;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>y = x if x > 0 else slope * x, elementwise (PyTorch's nn.LeakyReLU, negative_slope 0.01 by default).</summary>
public sealed class LeakyReLU : Layer
{
    private BatchBuffer? _output;
    private BatchBuffer? _gradInput;
    private Tensor? _input;

    public float NegativeSlope { get; }

    public LeakyReLU(float negativeSlope = 0.01f)
    {
        if (!float.IsFinite(negativeSlope))
            throw new FcnLabException($"LeakyReLU: the negative slope must be a finite number (got {negativeSlope}).");
        NegativeSlope = negativeSlope;
    }

    public override string Describe() => FormattableString.Invariant($"LeakyReLU(negative_slope={NegativeSlope})");

    public override int[] OutputShape(int[] inputShape) => (int[])inputShape.Clone();

    // x [B, ...] -> y [B, ...]
    public override Tensor Forward(Tensor input, bool training)
    {
        var y = ActivationBuffers.For(ref _output, input);
        ReadOnlySpan<float> xs = input.Span;
        var ys = y.Span;
        var slope = new Vector<float>(NegativeSlope);
        int i = 0;
        for (; i <= xs.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var x = new Vector<float>(xs.Slice(i));
            Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<float>.Zero), x, x * slope).CopyTo(ys.Slice(i));
        }
        for (; i < xs.Length; i++) ys[i] = xs[i] > 0 ? xs[i] : xs[i] * NegativeSlope;
        _input = input;
        return y;
    }

    // dx = dy * (x > 0 ? 1 : slope)   (the input, not the output, decides: the slope may be negative)
    public override Tensor? Backward(Tensor gradOutput)
    {
        var x = _input ?? throw new InvalidOperationException("LeakyReLU: Backward called before Forward.");
        ActivationBuffers.CheckSameShape(gradOutput, x, "LeakyReLU");
        if (!NeedsInputGradient) return null;
        var dx = ActivationBuffers.For(ref _gradInput, x);
        ReadOnlySpan<float> xs = x.Span, dys = gradOutput.Span;
        var dxs = dx.Span;
        var slope = new Vector<float>(NegativeSlope);
        int i = 0;
        for (; i <= xs.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var dy = new Vector<float>(dys.Slice(i));
            var positive = Vector.GreaterThan(new Vector<float>(xs.Slice(i)), Vector<float>.Zero);
            Vector.ConditionalSelect(positive, dy, dy * slope).CopyTo(dxs.Slice(i));
        }
        for (; i < xs.Length; i++) dxs[i] = xs[i] > 0 ? dys[i] : dys[i] * NegativeSlope;
        return dx;
    }
}
