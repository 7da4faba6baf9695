using System.Numerics;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>y = tanh(x), elementwise (PyTorch's nn.Tanh).</summary>
public sealed class Tanh : Layer
{
    private BatchBuffer? _output;
    private BatchBuffer? _gradInput;
    private Tensor? _y;

    public override string Describe() => "Tanh()";

    public override int[] OutputShape(int[] inputShape) => (int[])inputShape.Clone();

    // x [B, ...] -> y [B, ...]
    public override Tensor Forward(Tensor input, bool training)
    {
        var y = ActivationBuffers.For(ref _output, input);
        ReadOnlySpan<float> xs = input.Span;
        var ys = y.Span;
        // Scalar MathF.Tanh: the exp-based vector forms lose relative accuracy near 0, and this pass is
        // small next to the matrix multiplies around it.
        for (int i = 0; i < xs.Length; i++) ys[i] = MathF.Tanh(xs[i]);
        _y = y;
        return y;
    }

    // dx = dy * (1 - y^2)
    public override Tensor? Backward(Tensor gradOutput)
    {
        var y = _y ?? throw new InvalidOperationException("Tanh: Backward called before Forward.");
        ActivationBuffers.CheckSameShape(gradOutput, y, "Tanh");
        if (!NeedsInputGradient) return null;
        var dx = ActivationBuffers.For(ref _gradInput, y);
        ReadOnlySpan<float> ys = y.Span, dys = gradOutput.Span;
        var dxs = dx.Span;
        int i = 0;
        for (; i <= ys.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var v = new Vector<float>(ys.Slice(i));
            (new Vector<float>(dys.Slice(i)) * (Vector<float>.One - v * v)).CopyTo(dxs.Slice(i));
        }
        for (; i < ys.Length; i++) dxs[i] = dys[i] * (1f - ys[i] * ys[i]);
        return dx;
    }
}
