using System.Numerics;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>y = tanh(x), elementwise (PyTorch's nn.Tanh), vectorized: <see cref="VectorMath"/>, within 2 ulps.</summary>
public sealed class Tanh(WorkerPool? pool = null) : ElementwiseLayer(pool)
{
    public override string Describe() => "Tanh()";

    // y = tanh(x)
    protected override void Forward(ReadOnlySpan<float> x, Span<float> y) => VectorMath.Tanh(x, y);

    // dx = dy * (1 - y^2)
    protected override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int i = 0;
        for (; i <= y.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var v = new Vector<float>(y.Slice(i));
            (new Vector<float>(dy.Slice(i)) * (Vector<float>.One - v * v)).CopyTo(dx.Slice(i));
        }
        for (; i < y.Length; i++) dx[i] = dy[i] * (1f - y[i] * y[i]);
    }
}
