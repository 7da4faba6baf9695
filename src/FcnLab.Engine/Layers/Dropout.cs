using System.Numerics;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>
/// Inverted dropout (PyTorch's nn.Dropout): in training each element is zeroed with probability p and
/// the kept ones are scaled by 1/(1-p), so eval needs no rescaling and is the identity. The mask is
/// drawn from the given generator, one draw per element in row-major order, so a seed fixes it.
/// </summary>
public sealed class Dropout : Layer
{
    private readonly Rng _rng;
    private BatchBuffer? _output;
    private BatchBuffer? _mask;
    private BatchBuffer? _gradInput;
    private Tensor? _lastMask; // null when the last Forward was the identity

    public float P { get; }

    public Dropout(float p, Rng rng)
    {
        if (!(p >= 0f && p <= 1f))
            throw new FcnLabException($"Dropout probability must be in [0, 1] (got {p}); it is the fraction of activations zeroed, e.g. 0.5.");
        P = p;
        _rng = rng;
    }

    public override string Describe() => FormattableString.Invariant($"Dropout(p={P})");

    public override int[] OutputShape(int[] inputShape) => (int[])inputShape.Clone();

    // x [B, ...] -> y [B, ...];  y = x * mask, mask = (u >= p) / (1 - p) with u ~ U[0, 1)
    public override Tensor Forward(Tensor input, bool training)
    {
        if (!training || P == 0f)
        {
            // Identity: the input itself is returned, no copy.
            _lastMask = null;
            return input;
        }
        var y = ActivationBuffers.For(ref _output, input);
        var mask = ActivationBuffers.For(ref _mask, input);
        var ms = mask.Span;
        // p == 1 zeroes everything (PyTorch does too) instead of scaling by infinity.
        float scale = P < 1f ? 1f / (1f - P) : 0f;
        _rng.NextFloats(ms); // u, one draw per element in order
        MaskAndMultiply(input.Span, ms, P, scale, y.Span);
        _lastMask = mask;
        return y;
    }

    // dx = dy * mask
    public override Tensor? Backward(Tensor gradOutput)
    {
        if (!NeedsInputGradient) return null;
        if (_lastMask is null) return gradOutput;
        ActivationBuffers.CheckSameShape(gradOutput, _lastMask, "Dropout");
        var dx = ActivationBuffers.For(ref _gradInput, _lastMask);
        Multiply(gradOutput.Span, _lastMask.Span, dx.Span);
        return dx;
    }

    /// <summary>mask[i] = u[i] &gt;= p ? scale : 0 (in place over u), then y[i] = x[i] * mask[i].</summary>
    private static void MaskAndMultiply(ReadOnlySpan<float> x, Span<float> uToMask, float p, float scale, Span<float> y)
    {
        var vp = new Vector<float>(p);
        var vScale = new Vector<float>(scale);
        int i = 0;
        for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var m = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(new Vector<float>(uToMask.Slice(i)), vp), vScale, Vector<float>.Zero);
            m.CopyTo(uToMask.Slice(i));
            (new Vector<float>(x.Slice(i)) * m).CopyTo(y.Slice(i));
        }
        for (; i < x.Length; i++)
        {
            uToMask[i] = uToMask[i] >= p ? scale : 0f;
            y[i] = x[i] * uToMask[i];
        }
    }

    private static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> result)
    {
        int i = 0;
        for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
            (new Vector<float>(a.Slice(i)) * new Vector<float>(b.Slice(i))).CopyTo(result.Slice(i));
        for (; i < a.Length; i++) result[i] = a[i] * b[i];
    }
}
