using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Tests.Tensors;

/// <summary>The vectorized tanh and sigmoid against double-precision references, in ulps of the float result.</summary>
public class VectorMathTests
{
    /// <summary>+-x for x from 1e-30 to 120 in steps of 0.03%, with 0, -0 and the branch edges.</summary>
    private static float[] Sweep()
    {
        var xs = new List<float> { 0f, -0f, 0.625f, -0.625f, MathF.BitDecrement(0.625f), -MathF.BitDecrement(0.625f), 87f, -87f, 44f, -44f };
        for (double v = 1e-30; v < 120; v *= 1.0003)
        {
            xs.Add((float)v);
            xs.Add((float)-v);
        }
        return [.. xs];
    }

    /// <summary>
    /// The largest error in ulps of f over the sweep against its double-precision reference; where the
    /// exact result is below the normal floats (1.2e-38), only an absolute error under that is asked.
    /// </summary>
    private static (double Ulps, float At) WorstError(SpanAction f, Func<double, double> exact)
    {
        var x = Sweep();
        var y = new float[x.Length];
        f(x, y);
        (double Ulps, float At) worst = (0, 0);
        for (int i = 0; i < x.Length; i++)
        {
            double e = exact(x[i]);
            if (Math.Abs(e) < 1.2e-38)
            {
                Assert.True(Math.Abs(y[i] - e) < 1.2e-38, $"f({x[i]:R}) = {y[i]:R}, expected about {e:R}.");
                continue;
            }
            float rounded = (float)e;
            double off = Math.Abs(y[i] - e) / (MathF.BitIncrement(MathF.Abs(rounded)) - MathF.Abs(rounded));
            if (off > worst.Ulps) worst = (off, x[i]);
        }
        return worst;
    }

    private delegate void SpanAction(ReadOnlySpan<float> x, Span<float> y);

    [Fact]
    public void Tanh_IsWithinTwoUlps()
    {
        var (ulps, at) = WorstError(VectorMath.Tanh, Math.Tanh);
        Assert.True(ulps <= 2, $"tanh is {ulps:F2} ulps off at x = {at:R}.");
    }

    [Fact]
    public void Sigmoid_IsWithinTwoAndAHalfUlps_WhereTheResultIsANormalFloat()
    {
        var (ulps, at) = WorstError(VectorMath.Sigmoid, x => 1.0 / (1.0 + Math.Exp(-x)));
        Assert.True(ulps <= 2.5, $"sigmoid is {ulps:F2} ulps off at x = {at:R}.");
    }

    [Fact]
    public void SpecialValues_AsPyTorch()
    {
        float[] x = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, 0f, 1e-45f, -1e-45f, float.MaxValue, float.MinValue];
        var t = new float[x.Length];
        var s = new float[x.Length];
        VectorMath.Tanh(x, t);
        VectorMath.Sigmoid(x, s);
        Assert.True(float.IsNaN(t[0]) && float.IsNaN(s[0]), "NaN must stay NaN (a diverged run must show as diverged).");
        Assert.Equal([1f, -1f], t[1..3]);
        Assert.Equal([1f, 0f], s[1..3]);
        Assert.True(float.IsNegative(t[3]) && t[3] == 0f, "tanh(-0) is -0.");
        Assert.Equal(0f, t[4]);
        Assert.Equal([0.5f, 0.5f], s[3..5]);
        Assert.Equal([1e-45f, -1e-45f], t[5..7]);
        Assert.Equal([1f, -1f], t[7..9]);
        Assert.Equal([1f, 0f], s[7..9]);
    }

    /// <summary>A value's result does not depend on its position: a ragged tail goes through the same vector code.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(17)]
    [InlineData(37)]
    public void RaggedLengths_GiveTheSameBitsAsAFullBuffer(int length)
    {
        var rng = new System.Random(length);
        var x = new float[64];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 8 - 4);
        var full = new float[64];
        VectorMath.Tanh(x, full);
        var part = new float[length];
        VectorMath.Tanh(x.AsSpan(64 - length), part);
        Assert.Equal(full[(64 - length)..], part);
        VectorMath.Sigmoid(x, full);
        VectorMath.Sigmoid(x.AsSpan(64 - length), part);
        Assert.Equal(full[(64 - length)..], part);
    }
}
