using FcnLab.Engine.Layers;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using static FcnLab.Engine.Tests.Layers.LayerTestKit;

namespace FcnLab.Engine.Tests.Layers;

public class DropoutTests
{
    [Fact]
    public void EvalIsTheIdentity_AndSoIsPZero()
    {
        var x = Tensor.Zeros(3, 5);
        FillUniform(x.Span, new Rng(1));
        var rng = new Rng(2);
        var before = rng.GetState();
        Assert.Equal(x.ToArray(), new Dropout(0.5f, rng).Forward(x, training: false).ToArray());
        Assert.Equal(x.ToArray(), new Dropout(0f, rng).Forward(x, training: true).ToArray());
        Assert.Equal(before, rng.GetState()); // no draws when nothing is dropped
    }

    [Theory]
    [InlineData(0.2f)]
    [InlineData(0.5f)]
    [InlineData(0.8f)]
    public void Training_ZeroesAboutP_AndScalesTheRestByOneOverOneMinusP(float p)
    {
        const int n = 20000;
        var x = Tensor.Zeros(8, n / 8);
        FillAwayFromZero(x.Span, new Rng(3), 0.1f);
        var y = new Dropout(p, new Rng(4)).Forward(x, training: true);
        int zeros = 0;
        for (int i = 0; i < n; i++)
        {
            if (y[i] == 0f) zeros++;
            else Assert.Equal(x[i] * (1f / (1f - p)), y[i]);
        }
        double sigma = Math.Sqrt(n * p * (1 - p));
        Assert.InRange(zeros, n * p - 5 * sigma, n * p + 5 * sigma);
    }

    [Fact]
    public void SameSeed_SameMask_AndBackwardAppliesTheMask()
    {
        var x = Tensor.Zeros(3, 7);
        FillAwayFromZero(x.Span, new Rng(5), 0.1f);
        var a = new Dropout(0.5f, new Rng(42)).Forward(x, true).ToArray();
        var b = new Dropout(0.5f, new Rng(42)).Forward(x, true).ToArray();
        var c = new Dropout(0.5f, new Rng(43)).Forward(x, true).ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);

        var layer = new Dropout(0.5f, new Rng(42));
        var y = layer.Forward(x, true);
        var dy = Tensor.Zeros(3, 7);
        dy.Span.Fill(1f);
        var dx = layer.Backward(dy)!;
        for (int i = 0; i < x.Length; i++) Assert.Equal(y[i] == 0f ? 0f : 2f, dx[i]);
    }

    [Fact]
    public void GradientsMatchFiniteDifferences_WithTheMaskHeldFixed()
    {
        var rng = new Rng(6);
        var state = rng.GetState();
        var x = Tensor.Zeros(3, 5);
        FillUniform(x.Span, new Rng(7));
        GradCheck(new Dropout(0.3f, rng), x, training: true, eps: 0.25f, atol: 1e-4, rtol: 1e-4, beforeForward: () => rng.SetState(state));
    }

    [Fact]
    public void RejectsAProbabilityOutsideZeroOne()
    {
        Assert.Throws<FcnLabException>(() => new Dropout(1.5f, new Rng(1)));
        Assert.Throws<FcnLabException>(() => new Dropout(-0.1f, new Rng(1)));
        Assert.Throws<FcnLabException>(() => new Dropout(float.NaN, new Rng(1)));
        var all = new Dropout(1f, new Rng(1)).Forward(Tensor.From([1f, 2f], 1, 2), true);
        Assert.Equal([0f, 0f], all.ToArray());
    }
}
