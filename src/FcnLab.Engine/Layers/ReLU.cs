using System.Numerics;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>
/// y = max(x, 0), elementwise (PyTorch's nn.ReLU). Next to a Linear, Conv2d, batch norm or
/// MaxPool2d, <see cref="Sequential"/> has the neighbours compute it and this layer passes values through.
/// </summary>
public sealed class ReLU(WorkerPool? pool = null) : ElementwiseLayer(pool)
{
    /// <summary>Set by <see cref="Sequential"/>: the layer before applied max(x, 0) already, so Forward passes its input through.</summary>
    internal bool AppliedByPrevious { get; set; }

    /// <summary>Set by <see cref="Sequential"/>: the layer after applied the derivative already, so Backward passes the gradient through.</summary>
    internal bool DerivativeAppliedByNext { get; set; }

    public override string Describe() => "ReLU()";

    public override Tensor Forward(Tensor input, bool training)
    {
        if (!AppliedByPrevious) return base.Forward(input, training);
        (Input, Output) = (input, input);
        return input;
    }

    public override Tensor? Backward(Tensor gradOutput)
    {
        if (!DerivativeAppliedByNext || !NeedsInputGradient) return base.Backward(gradOutput);
        ActivationBuffers.CheckSameShape(gradOutput, Output ?? throw new InvalidOperationException("ReLU(): Backward called before Forward."), this);
        return gradOutput;
    }

    // y = max(x, 0)
    protected override void Forward(ReadOnlySpan<float> xs, Span<float> ys)
    {
        int i = 0;
        for (; i <= xs.Length - Vector<float>.Count; i += Vector<float>.Count)
            Vector.Max(new Vector<float>(xs.Slice(i)), Vector<float>.Zero).CopyTo(ys.Slice(i));
        for (; i < xs.Length; i++) ys[i] = xs[i] > 0 ? xs[i] : 0f;
    }

    // dx = dy * (y > 0)   (derivative 0 at x = 0, as PyTorch)
    protected override void Backward(ReadOnlySpan<float> xs, ReadOnlySpan<float> ys, ReadOnlySpan<float> dys, Span<float> dxs)
    {
        int i = 0;
        for (; i <= ys.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var positive = Vector.GreaterThan(new Vector<float>(ys.Slice(i)), Vector<float>.Zero);
            Vector.ConditionalSelect(positive, new Vector<float>(dys.Slice(i)), Vector<float>.Zero).CopyTo(dxs.Slice(i));
        }
        for (; i < ys.Length; i++) dxs[i] = ys[i] > 0 ? dys[i] : 0f;
    }
}
