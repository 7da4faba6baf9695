using System.Numerics;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>
/// y = max(x, 0), elementwise (PyTorch's nn.ReLU). Next to a Linear, Conv2d, batch norm or MaxPool2d
/// it can be built fused (Models.NetworkBuilder decides): the neighbour computes it and
/// this layer passes values through.
/// </summary>
public sealed class ReLU(WorkerPool? pool = null) : ElementwiseLayer(pool)
{
    /// <summary>Built after a layer built with ReluOnOutput: that layer applied max(x, 0) already, so Forward passes its input through.</summary>
    public bool AppliedByPrevious { get; init; }

    /// <summary>Built before a layer built with ReluOnInput: that layer applied the derivative already, so Backward passes the gradient through.</summary>
    public bool DerivativeAppliedByNext { get; init; }

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
