using System.Text.Json;
using FcnLab.Engine.Init;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Models;
using FcnLab.Engine.Random;

namespace FcnLab.Engine.Tests.Init;

public class InitializerTests
{
    private const int FanIn = 784;
    private const int FanOut = 1000;

    private static (Parameter Weight, Parameter Bias) Layer()
    {
        var weight = new Parameter("fc.weight", ParameterKind.Weight, FanIn, FanOut);
        var bias = new Parameter("fc.bias", ParameterKind.Bias, FanOut);
        var ps = new ParameterSet([weight, bias]);
        ps.Values.Span.Fill(123f); // so a scheme that forgets to write something shows
        return (weight, bias);
    }

    private static (double Mean, double Std, double MaxAbs) Stats(ReadOnlySpan<float> values)
    {
        double sum = 0, sumSq = 0, maxAbs = 0;
        foreach (float v in values)
        {
            sum += v;
            maxAbs = Math.Max(maxAbs, Math.Abs(v));
        }
        double mean = sum / values.Length;
        foreach (float v in values) sumSq += (v - mean) * (v - mean);
        return (mean, Math.Sqrt(sumSq / values.Length), maxAbs);
    }

    private static (Parameter Weight, Parameter Bias) Init(InitScheme scheme, Activation activation = Activation.ReLU,
        float leakySlope = 0.01f, double std = 1.0, ulong seed = 1)
    {
        var (w, b) = Layer();
        Initializer.Apply(scheme, w, b, FanIn, FanOut, activation, leakySlope, std, new Rng(seed));
        return (w, b);
    }

    private static void AssertUniform(ReadOnlySpan<float> values, double bound)
    {
        var (mean, std, maxAbs) = Stats(values);
        Assert.True(Math.Abs(mean) < 0.01 * bound, $"mean {mean} for bound {bound}");
        Assert.True(Math.Abs(std / (bound / Math.Sqrt(3)) - 1) < 0.02, $"std {std} for bound {bound}");
        Assert.True(maxAbs <= (float)bound && maxAbs > 0.999 * bound, $"max |w| {maxAbs} for bound {bound}");
    }

    private static void AssertNormal(ReadOnlySpan<float> values, double expectedStd)
    {
        var (mean, std, _) = Stats(values);
        Assert.True(Math.Abs(mean) < 0.01 * expectedStd, $"mean {mean} for std {expectedStd}");
        Assert.True(Math.Abs(std / expectedStd - 1) < 0.02, $"std {std}, expected {expectedStd}");
    }

    [Fact]
    public void Default_IsNnLinearResetParameters_WithPyTorchsBound()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "TestData", "pytorch-vectors.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var c = doc.RootElement.GetProperty("cases").GetProperty("linear_default_init");
        Assert.Equal(FanIn, c.GetProperty("fan_in").GetInt32());
        double weightBound = c.GetProperty("weight_bound").GetDouble();
        double biasBound = c.GetProperty("bias_bound").GetDouble();
        Assert.Equal(weightBound, 1 / Math.Sqrt(FanIn), 8);

        var (w, b) = Init(InitScheme.Default);
        AssertUniform(w.Value.Span, weightBound);
        // 1000 bias values: a looser check, but they must be drawn, bounded and not all zero.
        var (_, _, biasMax) = Stats(b.Value.Span);
        Assert.True(biasMax <= (float)biasBound && biasMax > 0.9 * biasBound);
    }

    [Fact]
    public void Normal_UsesTheGivenStd_AndZeroBiases()
    {
        var (w, b) = Init(InitScheme.Normal, std: 0.05);
        AssertNormal(w.Value.Span, 0.05);
        Assert.All(b.Value.ToArray(), v => Assert.Equal(0f, v));
        AssertNormal(Init(InitScheme.Normal).Weight.Value.Span, 1.0); // torch.nn.init.normal_'s default std
    }

    [Fact]
    public void XavierNormal_StdIsSqrtTwoOverFanInPlusFanOut()
    {
        var (w, b) = Init(InitScheme.XavierNormal);
        AssertNormal(w.Value.Span, Math.Sqrt(2.0 / (FanIn + FanOut)));
        Assert.All(b.Value.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void XavierUniform_BoundIsSqrtSixOverFanInPlusFanOut()
    {
        var (w, b) = Init(InitScheme.XavierUniform);
        AssertUniform(w.Value.Span, Math.Sqrt(6.0 / (FanIn + FanOut)));
        Assert.All(b.Value.ToArray(), v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(Activation.ReLU, 0.01f)]
    [InlineData(Activation.LeakyReLU, 0.2f)]
    [InlineData(Activation.Tanh, 0.01f)]
    [InlineData(Activation.Sigmoid, 0.01f)]
    public void KaimingUniform_BoundIsGainTimesSqrtThreeOverFanIn(Activation activation, float slope)
    {
        var (w, b) = Init(InitScheme.KaimingUniform, activation, slope);
        AssertUniform(w.Value.Span, Initializer.Gain(activation, slope) * Math.Sqrt(3.0 / FanIn));
        Assert.All(b.Value.ToArray(), v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(Activation.ReLU, 0.01f)]
    [InlineData(Activation.LeakyReLU, 0.2f)]
    [InlineData(Activation.Tanh, 0.01f)]
    public void KaimingNormal_StdIsGainOverSqrtFanIn(Activation activation, float slope)
    {
        var (w, b) = Init(InitScheme.KaimingNormal, activation, slope);
        AssertNormal(w.Value.Span, Initializer.Gain(activation, slope) / Math.Sqrt(FanIn));
        Assert.All(b.Value.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Gain_IsPyTorchsCalculateGain()
    {
        Assert.Equal(Math.Sqrt(2), Initializer.Gain(Activation.ReLU, 0.01f), 15);
        Assert.Equal(Math.Sqrt(2 / (1 + 0.01 * 0.01)), Initializer.Gain(Activation.LeakyReLU, 0.01f), 9);
        Assert.Equal(5.0 / 3, Initializer.Gain(Activation.Tanh, 0.01f), 15);
        Assert.Equal(1.0, Initializer.Gain(Activation.Sigmoid, 0.01f));
    }

    [Theory]
    [InlineData(InitScheme.Default)]
    [InlineData(InitScheme.Normal)]
    [InlineData(InitScheme.XavierUniform)]
    [InlineData(InitScheme.KaimingNormal)]
    public void SameSeed_SameValues_OtherSeed_OtherValues(InitScheme scheme)
    {
        var a = Init(scheme, seed: 42);
        var b = Init(scheme, seed: 42);
        var c = Init(scheme, seed: 43);
        Assert.Equal(a.Weight.Value.ToArray(), b.Weight.Value.ToArray());
        Assert.Equal(a.Bias.Value.ToArray(), b.Bias.Value.ToArray());
        Assert.NotEqual(a.Weight.Value.ToArray(), c.Weight.Value.ToArray());
    }

    [Fact]
    public void WithoutBias_OnlyTheWeightIsWritten()
    {
        var (w, b) = Layer();
        Initializer.Apply(InitScheme.Default, w, null, FanIn, FanOut, Activation.ReLU, 0.01f, 1.0, new Rng(3));
        Assert.All(b.Value.ToArray(), v => Assert.Equal(123f, v));
        Assert.True(Stats(w.Value.Span).MaxAbs < 0.04);
    }

    [Fact]
    public void BadArguments_AreRefusedClearly()
    {
        var (w, b) = Layer();
        var rng = new Rng(1);
        Assert.Contains("fan_in*fan_out", Assert.Throws<FcnLabException>(() =>
            Initializer.Apply(InitScheme.Default, w, b, 10, FanOut, Activation.ReLU, 0.01f, 1.0, rng)).Message);
        Assert.Contains("init_std", Assert.Throws<FcnLabException>(() =>
            Initializer.Apply(InitScheme.Normal, w, b, FanIn, FanOut, Activation.ReLU, 0.01f, 0.0, rng)).Message);
        Assert.Contains("fan_out", Assert.Throws<FcnLabException>(() =>
            Initializer.Apply(InitScheme.Default, w, w, FanIn, FanOut, Activation.ReLU, 0.01f, 1.0, rng)).Message);
    }

    [Fact]
    public void Names_RoundTrip_AndUnknownListsAllowed()
    {
        foreach (var scheme in Enum.GetValues<InitScheme>())
            Assert.Equal(scheme, Initializer.Parse(Initializer.ToFlag(scheme)));
        Assert.Equal(InitScheme.KaimingNormal, Initializer.Parse("Kaiming_Normal"));
        var ex = Assert.Throws<FcnLabException>(() => Initializer.Parse("he"));
        Assert.Contains("default, normal, xavier-normal, xavier-uniform, kaiming-uniform, kaiming-normal", ex.Message);
    }

    [Fact]
    public void Conv2d_UsesPyTorchsFans_InChannelsTimesKernelArea()
    {
        // nn.Conv2d(64, 128, 3): fan_in = 64*9 = 576, fan_out = 128*9 = 1152; the weight holds 73728 values.
        var conv = new Conv2d(64, 128, 3);
        var ps = new ParameterSet(conv.Parameters);
        Initializer.Apply(InitScheme.Default, conv.Weight, conv.Bias, conv.FanIn, 128 * 9, Activation.ReLU, 0.01f, 1, new Rng(1), receptiveField: 9);
        AssertUniform(conv.Weight.Value.Span, 1 / Math.Sqrt(576));
        Assert.All(conv.Bias!.Value.ToArray(), v => Assert.True(Math.Abs(v) <= 1 / Math.Sqrt(576)));
        Initializer.Apply(InitScheme.XavierUniform, conv.Weight, conv.Bias, 576, 1152, Activation.ReLU, 0.01f, 1, new Rng(2), receptiveField: 9);
        AssertUniform(conv.Weight.Value.Span, Math.Sqrt(6.0 / (576 + 1152)));
        Assert.All(conv.Bias.Value.ToArray(), v => Assert.Equal(0f, v));
        Initializer.Apply(InitScheme.KaimingNormal, conv.Weight, null, 576, 1152, Activation.ReLU, 0.01f, 1, new Rng(3), receptiveField: 9);
        AssertNormal(conv.Weight.Value.Span, Math.Sqrt(2.0 / 576));
        Assert.Throws<FcnLabException>(() => Initializer.Apply(InitScheme.Default, conv.Weight, conv.Bias, 576, 1152, Activation.ReLU, 0.01f, 1, new Rng(1)));
        Assert.True(ps.Count > 0);
    }
}
