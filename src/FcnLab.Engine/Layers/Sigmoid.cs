using System.Numerics;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>y = 1 / (1 + exp(-x)), elementwise (PyTorch's nn.Sigmoid), vectorized: <see cref="VectorMath"/>, within 2.5 ulps.</summary>
public sealed class Sigmoid(WorkerPool? pool = null) : ElementwiseLayer(pool)
{
    public override string Describe() => "Sigmoid()";

    // y = 1 / (1 + exp(-x))
    protected override void Forward(ReadOnlySpan<float> x, Span<float> y) => VectorMath.Sigmoid(x, y);

    // dx = dy * y * (1 - y)
    protected override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int i = 0;
        for (; i <= y.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var v = new Vector<float>(y.Slice(i));
            (new Vector<float>(dy.Slice(i)) * v * (Vector<float>.One - v)).CopyTo(dx.Slice(i));
        }
        for (; i < y.Length; i++) dx[i] = dy[i] * y[i] * (1f - y[i]);
    }
}
