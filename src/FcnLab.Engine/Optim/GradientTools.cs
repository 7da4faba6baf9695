using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FcnLab.Engine.Layers;

namespace FcnLab.Engine.Optim;

/// <summary>Operations on a model's gradients between backward and the optimizer step.</summary>
public static class GradientTools
{
    /// <summary>
    /// torch.nn.utils.clip_grad_norm_ (L2): the total norm over all gradients, and if it exceeds
    /// <paramref name="maxNorm"/> every gradient is scaled by maxNorm/(norm + 1e-6). Returns the norm
    /// before clipping. A non-finite norm is returned with the gradients untouched so the caller can
    /// report divergence (PyTorch would scale them by NaN or 0).
    /// </summary>
    public static double ClipGradNorm(ParameterSet ps, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(ps);
        if (!double.IsFinite(maxNorm) || maxNorm <= 0)
            throw new FcnLabException($"clip_grad_norm (the maximum gradient norm) must be a finite number > 0 (got {maxNorm}).");
        Span<float> grads = ps.Grads.Span;
        double norm = Math.Sqrt(SumOfSquares(grads));
        if (!double.IsFinite(norm)) return norm;
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) Scale(grads, (float)coef);
        return norm;
    }

    /// <summary>
    /// L2 regularisation on weights only (biases and batch-norm parameters are skipped):
    /// grad += lambda*w, and returns the penalty lambda/2 * sum(w^2) to add to the reported loss.
    /// The numpy study's convention; Keras' l2(l) is lambda = 2l.
    /// </summary>
    public static double AddL2(ParameterSet ps, double lambda)
    {
        ArgumentNullException.ThrowIfNull(ps);
        if (!double.IsFinite(lambda) || lambda < 0)
            throw new FcnLabException($"--l2 (the weight penalty lambda) must be a finite number >= 0 (got {lambda}).");
        if (lambda == 0) return 0;
        float l = (float)lambda;
        double sum = 0;
        // An indexed loop: foreach over the IReadOnlyList would allocate an enumerator every step.
        for (int k = 0; k < ps.Parameters.Count; k++)
        {
            var p = ps.Parameters[k];
            if (p.Kind != ParameterKind.Weight) continue;
            ReadOnlySpan<float> w = p.Value.Span;
            Span<float> g = p.Grad.Span;
            sum += SumOfSquares(w);
            int n = w.Length;
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var vl = new Vector<float>(l);
                ref float wr = ref MemoryMarshal.GetReference(w);
                ref float gr = ref MemoryMarshal.GetReference(g);
                for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
                    (Vector.LoadUnsafe(ref gr, (nuint)i) + vl * Vector.LoadUnsafe(ref wr, (nuint)i)).StoreUnsafe(ref gr, (nuint)i);
            }
            for (; i < n; i++) g[i] += l * w[i];
        }
        return lambda / 2 * sum;
    }

    /// <summary>True if every parameter value and every gradient is finite (no NaN, no infinity).</summary>
    public static bool AllFinite(ParameterSet ps)
    {
        ArgumentNullException.ThrowIfNull(ps);
        return AllFinite(ps.Values.Span) && AllFinite(ps.Grads.Span);
    }

    /// <summary>True if every element is finite.</summary>
    public static bool AllFinite(ReadOnlySpan<float> values)
    {
        int n = values.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // x - x is 0 for finite x and NaN for NaN or infinity; NaN compares unequal to 0.
            ref float r = ref MemoryMarshal.GetReference(values);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = Vector.LoadUnsafe(ref r, (nuint)i);
                if (!Vector.EqualsAll(v - v, Vector<float>.Zero)) return false;
            }
        }
        for (; i < n; i++)
            if (!float.IsFinite(values[i])) return false;
        return true;
    }

    /// <summary>
    /// Sum of squares in double with eight fixed accumulation lanes (element i goes to lane i mod 8),
    /// so the result is bitwise the same with or without SIMD, on any machine.
    /// </summary>
    internal static double SumOfSquares(ReadOnlySpan<float> values)
    {
        int n = values.Length;
        int i = 0;
        Span<double> lanes = stackalloc double[8];
        lanes.Clear();
        if (Vector256.IsHardwareAccelerated)
        {
            var low = Vector256<double>.Zero;   // lanes 0..3
            var high = Vector256<double>.Zero;  // lanes 4..7
            ref float r = ref MemoryMarshal.GetReference(values);
            for (; i <= n - 8; i += 8)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref r, (nuint)i));
                low += lo * lo;   // float squared in double is exact: only the sums round
                high += hi * hi;
            }
            low.CopyTo(lanes);
            high.CopyTo(lanes[4..]);
        }
        for (; i < n; i++)
        {
            double x = values[i];
            lanes[i & 7] += x * x;
        }
        double sum = 0;
        foreach (double lane in lanes) sum += lane;
        return sum;
    }

    private static void Scale(Span<float> values, float factor)
    {
        int n = values.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vf = new Vector<float>(factor);
            ref float r = ref MemoryMarshal.GetReference(values);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
                (Vector.LoadUnsafe(ref r, (nuint)i) * vf).StoreUnsafe(ref r, (nuint)i);
        }
        for (; i < n; i++) values[i] *= factor;
    }
}
