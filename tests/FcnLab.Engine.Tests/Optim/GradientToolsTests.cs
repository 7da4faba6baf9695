using FcnLab.Engine.Layers;
using FcnLab.Engine.Optim;

namespace FcnLab.Engine.Tests.Optim;

public class GradientToolsTests
{
    private static ParameterSet WeightAndBias(float[] w, float[] b, float[] gw, float[] gb)
    {
        var weight = new Parameter("w", ParameterKind.Weight, w.Length);
        var bias = new Parameter("b", ParameterKind.Bias, b.Length);
        var ps = new ParameterSet([weight, bias]);
        w.CopyTo(weight.Value.Span);
        b.CopyTo(bias.Value.Span);
        gw.CopyTo(weight.Grad.Span);
        gb.CopyTo(bias.Grad.Span);
        return ps;
    }

    [Fact]
    public void ClipGradNorm_ScalesAllGradientsWhenAboveMax()
    {
        // Gradients (3, 0 | 4): total norm 5 across weight and bias.
        var ps = WeightAndBias([1, 1], [1], [3, 0], [4]);
        double norm = GradientTools.ClipGradNorm(ps, 1.0);
        Assert.Equal(5.0, norm, 12);
        float coef = (float)(1.0 / (5.0 + 1e-6));
        Assert.Equal([3 * coef, 0f, 4 * coef], ps.Grads.ToArray());
    }

    [Fact]
    public void ClipGradNorm_LeavesGradientsBelowMaxAlone()
    {
        var ps = WeightAndBias([1, 1], [1], [3, 0], [4]);
        Assert.Equal(5.0, GradientTools.ClipGradNorm(ps, 10.0), 12);
        Assert.Equal([3f, 0f, 4f], ps.Grads.ToArray());
    }

    [Fact]
    public void ClipGradNorm_LargeBuffer_MatchesNaiveDoubleSum()
    {
        var rng = new Engine.Random.Rng(7);
        var g = new float[1003]; // odd length: SIMD body plus tail
        for (int i = 0; i < g.Length; i++) g[i] = rng.Uniform(-1, 1);
        var ps = WeightAndBias(new float[1003], [0], g, [0]);
        double naive = Math.Sqrt(g.Sum(x => (double)x * x));
        Assert.Equal(naive, GradientTools.ClipGradNorm(ps, 1e6), 10);
    }

    [Fact]
    public void ClipGradNorm_NonFinite_ReturnsItAndLeavesGradients()
    {
        var ps = WeightAndBias([1, 1], [1], [float.NaN, 1], [1]);
        Assert.True(double.IsNaN(GradientTools.ClipGradNorm(ps, 1.0)));
        Assert.Equal(1f, ps.Grads[1]);
        Assert.Contains("clip_grad_norm", Assert.Throws<FcnLabException>(() => GradientTools.ClipGradNorm(ps, 0)).Message);
    }

    [Fact]
    public void AddL2_AddsLambdaTimesWeight_ToWeightsOnly_AndReturnsHalfLambdaSumSquares()
    {
        var ps = WeightAndBias([1, 2, 3, 4], [5, 6], [1, 1, 1, 1], [1, 1]);
        double penalty = GradientTools.AddL2(ps, 0.1);
        Assert.Equal(0.05 * 30, penalty, 12);
        Assert.Equal([1 + 0.1f * 1, 1 + 0.1f * 2, 1 + 0.1f * 3, 1 + 0.1f * 4, 1f, 1f], ps.Grads.ToArray());
        Assert.Equal(0, GradientTools.AddL2(ps, 0));
        Assert.Contains("l2", Assert.Throws<FcnLabException>(() => GradientTools.AddL2(ps, -1)).Message);
    }

    [Fact]
    public void AddL2_SkipsBatchNormParameters()
    {
        var w = new Parameter("w", ParameterKind.Weight, 17);
        var scale = new Parameter("bn.weight", ParameterKind.BatchNormScale, 3);
        var shift = new Parameter("bn.bias", ParameterKind.BatchNormShift, 3);
        var ps = new ParameterSet([w, scale, shift]);
        ps.Values.Span.Fill(2f);
        double penalty = GradientTools.AddL2(ps, 0.5);
        Assert.Equal(0.25 * 17 * 4, penalty, 12);
        Assert.All(w.Grad.ToArray(), g => Assert.Equal(1f, g));
        Assert.All(scale.Grad.ToArray(), g => Assert.Equal(0f, g));
        Assert.All(shift.Grad.ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void AllFinite_FindsNaNAndInfinityAnywhere()
    {
        var ps = WeightAndBias(new float[40], new float[3], new float[40], new float[3]);
        Assert.True(GradientTools.AllFinite(ps));
        ps.Grads[42] = float.PositiveInfinity; // in the tail
        Assert.False(GradientTools.AllFinite(ps));
        ps.Grads[42] = 0;
        ps.Values[5] = float.NaN; // in the SIMD body
        Assert.False(GradientTools.AllFinite(ps));
    }
}
