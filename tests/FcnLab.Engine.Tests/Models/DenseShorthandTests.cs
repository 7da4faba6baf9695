using FcnLab.Engine.Init;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Models;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using FcnLab.Engine.Training;

namespace FcnLab.Engine.Tests.Models;

/// <summary>The dense shorthand is an architecture spec like any other: its layers, its names, and the one thing the layers do not say (the gain of a network without activations).</summary>
public class DenseShorthandTests
{
    [Theory]
    [InlineData(new[] { 7, 4 }, Activation.LeakyReLU, 0.2f, true, 0.25f, "dense(7) batchnorm leaky-relu(0.2) dropout(0.25) dense(4) batchnorm leaky-relu(0.2) dropout(0.25) dense(classes)")]
    [InlineData(new[] { 1200, 2000, 800 }, Activation.ReLU, 0.01f, false, 0f, "dense(1200) relu dense(2000) relu dense(800) relu dense(classes)")]
    [InlineData(new[] { 5 }, Activation.LeakyReLU, 0.01f, false, 0.1f, "dense(5) leaky-relu dropout(0.1) dense(classes)")]
    [InlineData(new[] { 5 }, Activation.Sigmoid, 0.01f, true, 0f, "dense(5) batchnorm sigmoid dense(classes)")]
    [InlineData(new int[0], Activation.Tanh, 0.01f, true, 0.5f, "dense(classes)")]
    public void WritesItsLayers_AndIsRecognizedFromThem(int[] hidden, Activation activation, float slope, bool batchNorm, float dropout, string text)
    {
        var shorthand = new DenseShorthand(hidden, activation, slope, batchNorm, dropout);
        var arch = shorthand.ToArchSpec();
        Assert.Equal(text, arch.Text);
        Assert.Same(shorthand, arch.Shorthand);
        // The text reads back to the same layers, and they spell the shorthand (without hidden layers, only its widths).
        var parsed = ArchSpec.Parse(text);
        Assert.Equal(arch.Layers.Select(l => l with { Position = 0, Length = 0 }), parsed.Layers.Select(l => l with { Position = 0, Length = 0 }));
        var recognized = parsed.Shorthand!;
        Assert.Equal(hidden, recognized.Hidden);
        if (hidden.Length > 0)
            Assert.Equal((activation, activation == Activation.LeakyReLU ? slope : 0.01f, batchNorm, dropout),
                (recognized.Activation, recognized.LeakySlope, recognized.BatchNorm, recognized.Dropout));
    }

    [Theory]
    [InlineData("flatten dense(10) relu dense(classes)")]
    [InlineData("dense(10) relu dense(5) tanh dense(classes)")]
    [InlineData("dense(10) relu dropout(0.2) dense(5) relu dense(classes)")]
    [InlineData("dense(10) relu dropout(0) dense(classes)")]
    [InlineData("dense(10) dense(classes)")]
    [InlineData("lenet5")]
    public void OtherNetworks_AreNoShorthand(string text) => Assert.Null(ArchSpec.Parse(text).Shorthand);

    [Fact]
    public void ASettingsFloat_IsTheNumberWritten()
    {
        var arch = new DenseShorthand([3], Activation.LeakyReLU, 0.3f, false, 0.123456789f).ToArchSpec();
        Assert.Equal("dense(3) leaky-relu(0.3) dropout(0.12345679) dense(classes)", arch.Text);
        Assert.Equal(0.3f, (float)arch.Layers[1].NegativeSlope);
        Assert.Equal(0.123456789f, (float)arch.Layers[2].DropoutP);
    }

    // The run directory's short name, as train has always made it from the flags.
    [Theory]
    [InlineData(new string[0], "1200x2000x800")]
    [InlineData(new[] { "hidden", "none" }, "softmax")]
    [InlineData(new[] { "hidden", "none", "batch-norm", "true" }, "softmax-bn")]
    [InlineData(new[] { "hidden", "100,50", "batch-norm", "true", "activation", "tanh" }, "100x50-bn")]
    [InlineData(new[] { "arch", "lenet5" }, "lenet5")]
    [InlineData(new[] { "arch", " CNN " }, "cnn")]
    [InlineData(new[] { "arch", "conv(6,5,pad=2) relu maxpool(2) conv(16,5) relu maxpool(2) flatten dense(120) relu dense(84) relu dense(classes)" }, "arch")]
    [InlineData(new[] { "arch", "flatten dense(100) relu dense(classes)" }, "arch")]
    public void RunName_IsTheRunDirectorysShortName(string[] settings, string name)
    {
        var given = Enumerable.Range(0, settings.Length / 2).Select(i => new KeyValuePair<string, string>(settings[2 * i], settings[2 * i + 1])).ToList();
        var config = TrainSettings.Apply(new TrainConfig(), given);
        config.Validate();
        Assert.Equal(name, config.ToArchSpec().RunName);
    }

    /// <summary>
    /// A named init's gain comes from the activation after a weighted layer, else before it; softmax
    /// regression has none, and keeps its --activation's gain (as the dense shorthand always did),
    /// where a spec without activations takes ReLU's.
    /// </summary>
    [Fact]
    public void WithoutActivationLayers_TheGainIsTheShorthandsActivation()
    {
        var softmaxTanh = new ModelSpec(new DenseShorthand([], Activation.Tanh, 0.01f, false, 0).ToArchSpec(), [1, 6, 6], 3);
        var softmaxSpec = new ModelSpec(ArchSpec.Parse("dense(classes)"), [1, 6, 6], 3);
        Assert.Equal((Activation.Tanh, 0f), softmaxTanh.Arch.GainActivation(0));
        Assert.Equal((Activation.LeakyReLU, 0.3f), new DenseShorthand([], Activation.LeakyReLU, 0.3f, false, 0).ToArchSpec().GainActivation(0));
        Assert.Equal((Activation.ReLU, 0f), softmaxSpec.Arch.GainActivation(0));
        Assert.Equal((Activation.LeakyReLU, 0.2f), ArchSpec.Parse("dense(4) batchnorm leaky-relu(0.2) dense(classes)").GainActivation(3));

        using var pool = new WorkerPool(1);
        float[] Weights(ModelSpec spec)
        {
            var net = NetworkBuilder.Build(spec, pool, new Rng(0));
            NetworkBuilder.Initialize(net, spec, InitScheme.KaimingUniform, 1, new Rng(4));
            return ((Linear)net.Layers[0]).Weight.Value.ToArray();
        }
        // Kaiming uniform: bound gain * sqrt(3 / fan_in), tanh's gain 5/3 against ReLU's sqrt(2).
        var tanh = Weights(softmaxTanh);
        var relu = Weights(softmaxSpec);
        for (int i = 0; i < tanh.Length; i++) Assert.Equal(relu[i] * (5.0 / 3 / Math.Sqrt(2)), tanh[i], 1e-6);
    }

    /// <summary>LeNet-5 as NetworkBuilder builds it: every ReLU applied by the conv or dense layer before it, its derivative by the pool or dense layer after it.</summary>
    [Fact]
    public void Lenet5_IsBuiltWithItsReLUsFused()
    {
        using var pool = new WorkerPool(1);
        var net = NetworkBuilder.Build(new ModelSpec(ArchSpec.Parse("lenet5"), [1, 28, 28], 10), pool, new Rng(0));
        string Fusion(Layer l) => l switch
        {
            ReLU r => $"relu{(r.AppliedByPrevious ? " by-previous" : "")}{(r.DerivativeAppliedByNext ? " derivative-by-next" : "")}",
            Conv2d c => $"conv{(c.ReluOnOutput ? " relu-out" : "")}",
            MaxPool2d m => $"maxpool{(m.ReluOnInput ? " relu-in" : "")}",
            Linear d => $"dense{(d.ReluOnOutput ? " relu-out" : "")}{(d.ReluOnInput ? " relu-in" : "")}",
            _ => l.GetType().Name.ToLowerInvariant(),
        };
        Assert.Equal(
        [
            "conv relu-out", "relu by-previous derivative-by-next", "maxpool relu-in", "conv relu-out", "relu by-previous derivative-by-next", "maxpool relu-in",
            "flatten", "dense relu-out", "relu by-previous derivative-by-next", "dense relu-out relu-in", "relu by-previous derivative-by-next", "dense relu-in",
        ], net.Layers.Select(Fusion));
        Assert.Equal([false, true, true, true, true, true, true, true, true, true, true, true], net.Layers.Select(l => l.NeedsInputGradient));
        Assert.All(NetworkBuilder.Build(new ModelSpec(ArchSpec.Parse("lenet5"), [1, 28, 28], 10), pool, new Rng(0), fuse: false).Layers,
            l => Assert.DoesNotContain("relu-", Fusion(l).Replace("relu by", "", StringComparison.Ordinal)));
    }
}
