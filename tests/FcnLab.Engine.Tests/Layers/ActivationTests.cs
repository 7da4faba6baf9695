using FcnLab.Engine.Layers;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using static FcnLab.Engine.Tests.Layers.LayerTestKit;

namespace FcnLab.Engine.Tests.Layers;

public class ActivationTests
{
    public static TheoryData<string> PyTorchCases => new() { "act_relu", "act_sigmoid", "act_tanh", "act_leaky_relu_0.01", "act_leaky_relu_0.1" };

    private static Layer Make(string name) => name switch
    {
        "act_relu" => new ReLU(),
        "act_sigmoid" => new Sigmoid(),
        "act_tanh" => new Tanh(),
        "act_leaky_relu_0.01" => new LeakyReLU(),
        "act_leaky_relu_0.1" => new LeakyReLU(0.1f),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(PyTorchCases))]
    public void MatchesPyTorch(string name)
    {
        var c = Case(name);
        var xs = c.Floats("x");
        var layer = Make(name);
        var x = Tensor.From(xs, 1, xs.Length);
        AssertClose(c.Floats("y"), layer.Forward(x, true).Span, what: name + " y");
        var dx = layer.Backward(Tensor.From(c.Floats("grad_y"), 1, xs.Length));
        AssertClose(c.Floats("grad_x"), dx!.Span, what: name + " grad_x");
    }

    /// <summary>Long enough for the vector loop and the scalar tail, over a wide range, against double-precision math.</summary>
    [Theory]
    [InlineData("act_relu")]
    [InlineData("act_sigmoid")]
    [InlineData("act_tanh")]
    [InlineData("act_leaky_relu_0.1")]
    public void MatchesDoublePrecisionFormulas_OnLongOddInputs(string name)
    {
        var rng = new Rng(5);
        var x = Tensor.Zeros(3, 37);
        FillUniform(x.Span, rng, scale: 20f);
        x[0] = 0f;
        x[1] = 1e-8f;
        x[2] = -1e-8f;
        x[3] = 100f;
        x[4] = -100f;
        var y = Make(name).Forward(x, true);
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            double expected = name switch
            {
                "act_relu" => Math.Max(v, 0),
                "act_sigmoid" => 1 / (1 + Math.Exp(-v)),
                "act_tanh" => Math.Tanh(v),
                _ => v > 0 ? v : 0.1f * v,
            };
            Assert.True(Math.Abs(y[i] - expected) <= 1e-30 + 1e-6 * Math.Abs(expected), $"{name}({v:R}) = {y[i]:R}, expected {expected:R}");
        }
    }

    [Theory]
    [InlineData("act_relu")]
    [InlineData("act_sigmoid")]
    [InlineData("act_tanh")]
    [InlineData("act_leaky_relu_0.01")]
    [InlineData("act_leaky_relu_0.1")]
    public void GradientsMatchFiniteDifferences(string name)
    {
        var rng = new Rng(9);
        var x = Tensor.Zeros(3, 13);
        // Away from the kink at 0 so the central difference never straddles it.
        FillAwayFromZero(x.Span, rng, gap: 0.05f);
        for (int i = 0; i < x.Length; i++) x[i] *= 3f;
        GradCheck(Make(name), x, eps: 1e-2f);
    }

    [Fact]
    public void ReLU_DerivativeAtZeroIsZero_LeakyReLU_UsesSlopeAtZero()
    {
        var x = Tensor.Zeros(1, 3);
        var dy = Tensor.From([1f, 1f, 1f], 1, 3);
        var relu = new ReLU();
        relu.Forward(x, true);
        Assert.All(relu.Backward(dy)!.ToArray(), v => Assert.Equal(0f, v));
        var leaky = new LeakyReLU(0.2f);
        leaky.Forward(x, true);
        Assert.All(leaky.Backward(dy)!.ToArray(), v => Assert.Equal(0.2f, v));
    }

    [Fact]
    public void KeepsThePerSampleShape_AndHandlesSeveralBatchSizes()
    {
        var layer = new Tanh();
        Assert.Equal([2, 3], layer.OutputShape([2, 3]));
        var a = layer.Forward(Tensor.Zeros(4, 2, 3), true);
        Assert.Equal([4, 2, 3], a.Shape);
        var b = layer.Forward(Tensor.Zeros(1, 2, 3), true);
        Assert.Equal([1, 2, 3], b.Shape);
        Assert.Same(a, layer.Forward(Tensor.Zeros(4, 2, 3), true));
        Assert.Throws<FcnLabException>(() => layer.Backward(Tensor.Zeros(4, 6)));
    }

    [Fact]
    public void FirstLayerSkipsTheInputGradient()
    {
        var layer = new Sigmoid { NeedsInputGradient = false };
        layer.Forward(Tensor.Zeros(2, 3), true);
        Assert.Null(layer.Backward(Tensor.Zeros(2, 3)));
    }

    [Fact]
    public void LeakyReLU_RejectsANonFiniteSlope() =>
        Assert.Throws<FcnLabException>(() => new LeakyReLU(float.NaN));

    [Theory]
    [InlineData("relu")]
    [InlineData("tanh")]
    [InlineData("sigmoid")]
    [InlineData("leaky")]
    public void OnAPool_LargeTensorsAreSplit_WithTheSameResult_AndNoAllocation(string kind)
    {
        using var pool = new WorkerPool(3);
        var x = Tensor.Zeros(5, 7, 61, 67); // several chunks and a ragged one
        FillUniform(x.Span, new Rng(9), 4f);
        var dy = Tensor.Zeros(x.Shape);
        FillUniform(dy.Span, new Rng(10));
        Layer Make(WorkerPool? p) => kind switch
        {
            "relu" => new ReLU(p),
            "tanh" => new Tanh(p),
            "sigmoid" => new Sigmoid(p),
            _ => new LeakyReLU(-0.3f, p),
        };
        var alone = Make(null);
        var pooled = Make(pool);
        Assert.Equal(alone.Forward(x, true).ToArray(), pooled.Forward(x, true).ToArray());
        Assert.Equal(alone.Backward(dy)!.ToArray(), pooled.Backward(dy)!.ToArray());
        Assert.Equal(0, Allocations.Measure(() => { pooled.Forward(x, true); pooled.Backward(dy); }));
    }
}
