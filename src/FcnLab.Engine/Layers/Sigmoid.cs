using System.Numerics;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>y = 1 / (1 + exp(-x)), elementwise (PyTorch's nn.Sigmoid).</summary>
public sealed class Sigmoid : Layer
{
    private BatchBuffer? _output;
    private BatchBuffer? _gradInput;
    private Tensor? _y;

    public override string Describe() => "Sigmoid()";

    public override int[] OutputShape(int[] inputShape) => (int[])inputShape.Clone();

    // x [B, ...] -> y [B, ...]
    public override Tensor Forward(Tensor input, bool training)
    {
        var y = ActivationBuffers.For(ref _output, input);
        ReadOnlySpan<float> xs = input.Span;
        var ys = y.Span;
        int i = 0;
        // Vector.Exp is accurate to about 1 ulp; exp(-x) overflowing to +inf gives exactly 0, as it should.
        for (; i <= xs.Length - Vector<float>.Count; i += Vector<float>.Count)
            (Vector<float>.One / (Vector<float>.One + Vector.Exp(-new Vector<float>(xs.Slice(i))))).CopyTo(ys.Slice(i));
        for (; i < xs.Length; i++) ys[i] = 1f / (1f + MathF.Exp(-xs[i]));
        _y = y;
        return y;
    }

    // dx = dy * y * (1 - y)
    public override Tensor? Backward(Tensor gradOutput)
    {
        var y = _y ?? throw new InvalidOperationException("Sigmoid: Backward called before Forward.");
        ActivationBuffers.CheckSameShape(gradOutput, y, "Sigmoid");
        if (!NeedsInputGradient) return null;
        var dx = ActivationBuffers.For(ref _gradInput, y);
        ReadOnlySpan<float> ys = y.Span, dys = gradOutput.Span;
        var dxs = dx.Span;
        int i = 0;
        for (; i <= ys.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var v = new Vector<float>(ys.Slice(i));
            (new Vector<float>(dys.Slice(i)) * v * (Vector<float>.One - v)).CopyTo(dxs.Slice(i));
        }
        for (; i < ys.Length; i++) dxs[i] = dys[i] * ys[i] * (1f - ys[i]);
        return dx;
    }
}
