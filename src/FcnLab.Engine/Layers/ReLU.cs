using System.Numerics;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>y = max(x, 0), elementwise (PyTorch's nn.ReLU).</summary>
public sealed class ReLU : Layer
{
    private BatchBuffer? _output;
    private BatchBuffer? _gradInput;
    private Tensor? _y;

    public override string Describe() => "ReLU()";

    public override int[] OutputShape(int[] inputShape) => (int[])inputShape.Clone();

    // x [B, ...] -> y [B, ...]
    public override Tensor Forward(Tensor input, bool training)
    {
        var y = ActivationBuffers.For(ref _output, input);
        ReadOnlySpan<float> xs = input.Span;
        var ys = y.Span;
        int i = 0;
        for (; i <= xs.Length - Vector<float>.Count; i += Vector<float>.Count)
            Vector.Max(new Vector<float>(xs.Slice(i)), Vector<float>.Zero).CopyTo(ys.Slice(i));
        for (; i < xs.Length; i++) ys[i] = xs[i] > 0 ? xs[i] : 0f;
        _y = y;
        return y;
    }

    // dx = dy * (y > 0)   (derivative 0 at x = 0, as PyTorch)
    public override Tensor? Backward(Tensor gradOutput)
    {
        var y = _y ?? throw new InvalidOperationException("ReLU: Backward called before Forward.");
        ActivationBuffers.CheckSameShape(gradOutput, y, "ReLU");
        if (!NeedsInputGradient) return null;
        var dx = ActivationBuffers.For(ref _gradInput, y);
        ReadOnlySpan<float> ys = y.Span, dys = gradOutput.Span;
        var dxs = dx.Span;
        int i = 0;
        for (; i <= ys.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var positive = Vector.GreaterThan(new Vector<float>(ys.Slice(i)), Vector<float>.Zero);
            Vector.ConditionalSelect(positive, new Vector<float>(dys.Slice(i)), Vector<float>.Zero).CopyTo(dxs.Slice(i));
        }
        for (; i < ys.Length; i++) dxs[i] = ys[i] > 0 ? dys[i] : 0f;
        return dx;
    }
}
