using FcnLab.Engine.Init;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Models;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Tests.Models;

public class ArchSpecTests
{
    [Fact]
    public void ParsesTheIssuesExample_IntoCanonicalText_AndBuildsIt()
    {
        var spec = ArchSpec.Parse("conv(32,3,pad=1) relu maxpool(2) conv(64,3,pad=1) relu maxpool(2) flatten dense(128) relu dense(10)");
        Assert.Equal("conv(32,3,pad=1) relu maxpool(2) conv(64,3,pad=1) relu maxpool(2) flatten dense(128) relu dense(10)", spec.Text);
        var shapes = spec.Shapes([1, 28, 28], 10);
        Assert.Equal([[32, 28, 28], [32, 28, 28], [32, 14, 14], [64, 14, 14], [64, 14, 14], [64, 7, 7], [3136], [128], [128], [10]], shapes);
        using var pool = new WorkerPool(1);
        var net = NetworkBuilder.Build(new ModelSpec(spec, [1, 28, 28], 10), pool, new Rng(0));
        Assert.Equal([typeof(Conv2d), typeof(ReLU), typeof(MaxPool2d), typeof(Conv2d), typeof(ReLU), typeof(MaxPool2d), typeof(Flatten), typeof(Linear), typeof(ReLU), typeof(Linear)],
            net.Layers.Select(l => l.GetType()));
        Assert.Equal(32 * 9 + 32 + 64 * 32 * 9 + 64 + 3136 * 128 + 128 + 1290, net.Parameters.Count);
    }

    [Theory]
    [InlineData("CONV(8, 3, 2, 1) -> ReLU -> MaxPool2d(3, stride=2, padding=1), flatten, Linear(10)", "conv(8,3,stride=2,pad=1) relu maxpool(3,stride=2,pad=1) flatten dense(10)")]
    [InlineData("conv(4,3,stride=1,bias=false) leaky_relu(0.2) avgpool(2,1) batch-norm dropout(0.25) flatten dense(classes)", "conv(4,3,bias=false) leaky-relu(0.2) avgpool(2,stride=1) batchnorm dropout(0.25) flatten dense(classes)")]
    [InlineData("  flatten dense(5) tanh dense(3) sigmoid leaky-relu dense(2)  ", "flatten dense(5) tanh dense(3) sigmoid leaky-relu dense(2)")]
    [InlineData("LeNet5", "conv(6,5,pad=2) relu maxpool(2) conv(16,5) relu maxpool(2) flatten dense(120) relu dense(84) relu dense(classes)")]
    public void AcceptsSynonymsSeparatorsAndCase_AndWritesOneCanonicalForm(string text, string canonical)
    {
        var spec = ArchSpec.Parse(text);
        Assert.Equal(canonical, spec.Text);
        Assert.Equal(canonical, ArchSpec.Parse(canonical).Text);
    }

    [Fact]
    public void DenseClasses_IsTheDataSetsClassCount_AndBatchNormFollowsTheInputRank()
    {
        var spec = ArchSpec.Parse("conv(4,3) batchnorm relu flatten dense(6) batchnorm relu dense(classes)").WithClasses(7);
        Assert.Equal("conv(4,3) batchnorm relu flatten dense(6) batchnorm relu dense(7)", spec.Text);
        using var pool = new WorkerPool(1);
        var net = NetworkBuilder.Build(new ModelSpec(spec, [2, 5, 5], 7), pool, new Rng(0));
        Assert.IsType<BatchNorm2d>(net.Layers[1]);
        Assert.IsType<BatchNorm1d>(net.Layers[5]);
        Assert.Equal([7], net.OutputShape);
    }

    [Theory]
    [InlineData("conv(32,3,pad=1) relu maxpol(2) flatten dense(10)", "unknown layer 'maxpol' (character 23)", 22, 6)]
    [InlineData("conv(32,3,pad=1 relu", "expected ',' or ')' in the arguments of conv, found 'r' (character 17)", 16, 1)]
    [InlineData("conv(32) relu", "conv needs 2 arguments (out, k); k is missing (character 1)", 0, 8)]
    [InlineData("conv(32,0) relu", "k must be a whole number >= 1 (got '0') (character 9)", 8, 1)]
    [InlineData("conv(32,3,pad=3)", "pad 3 must be smaller than the window 3", 14, 1)]
    [InlineData("conv(32,3,stride=2,stride=1)", "stride is given twice", 26, 1)]
    [InlineData("conv(32,3,dilation=2)", "conv has no argument 'dilation'", 19, 1)]
    [InlineData("relu(3)", "relu takes no arguments", 5, 1)]
    [InlineData("dropout(1.5)", "dropout probability must be in [0, 1) (got 1.5)", 8, 3)]
    [InlineData("flatten dense(10 relu", "expected ',' or ')' in the arguments of dense", 17, 1)]
    [InlineData("flatten lenet5", "'lenet5' is a built-in architecture, not a layer", 8, 6)]
    [InlineData("flatten ) dense(10)", "expected a layer name, found ')'", 8, 1)]
    [InlineData("conv(pad=1, 3)", "positional argument '3' of conv after a named one", 12, 1)]
    [InlineData("res conv(8,3)", "res needs its layers in parentheses (character 1)", 0, 3)]
    [InlineData("conv(8,3) res(conv(8,3,pad=1) relu", "res( is not closed: expected layers and ')' (character 14)", 13, 1)]
    [InlineData("conv(8,3) res( ) flatten dense(10)", "res() has no layers", 10, 6)]
    [InlineData("conv(8,3) res(conv(8,3,pad=1) rleu) flatten dense(10)", "unknown layer 'rleu' (character 31)", 30, 4)]
    [InlineData("conv(8,3) res(conv(8,3,pad=1), relu(2)) gap dense(10)", "relu takes no arguments", 36, 1)]
    public void SyntaxErrors_SayWhatIsWrong_AndPointAtIt(string text, string message, int column, int width)
    {
        var e = Assert.Throws<FcnLabException>(() => ArchSpec.Parse(text));
        Assert.Contains(message, e.Message);
        var lines = e.Message.Split('\n');
        Assert.Equal("  " + text, lines[1]);
        Assert.Equal("  " + new string(' ', column) + new string('^', width), lines[2]);
    }

    [Theory]
    [InlineData("conv(6,5) relu dense(10)", "dense(10) needs a flat input but gets [6, 24, 24] per sample", "Put flatten before it.")]
    [InlineData("flatten conv(6,5) dense(10)", "conv(6,5) needs images [channels, height, width] but gets [784] per sample", "Convolutions and pooling come before flatten.")]
    [InlineData("maxpool(2) maxpool(2) maxpool(2) maxpool(2) maxpool(2) flatten dense(10)", "maxpool(2) gets [1, 1, 1] per sample: the 1x1 image (padded by 0) is smaller than its 2x2 window", "Pool less")]
    [InlineData("flatten dense(128) relu", "the network ends with [128] per sample, but the data set has 10 classes", "End the spec with dense(10)")]
    // Found by the sidecar fuzzer: an ArgumentException from the tensor code before.
    [InlineData("conv(1000000000,3) flatten dense(10)", "conv(1000000000,3) would give [1000000000, 26, 26] per sample, more than the 2147483647 values", "Use fewer channels")]
    public void ShapeErrors_NameTheLayer_AndHowToFixIt(string text, string message, string hint)
    {
        var e = Assert.Throws<FcnLabException>(() => ArchSpec.Parse(text).Shapes([1, 28, 28], 10));
        Assert.Contains(message, e.Message);
        Assert.Contains(hint, e.Message);
    }

    [Fact]
    public void ResidualBlocksAndGap_ParseIntoCanonicalText_ShapeAndBuild()
    {
        var spec = ArchSpec.Parse("conv(8,3,pad=1) relu Res( conv(16, 3, stride=2, pad=1) -> bn -> relu, conv(16,3,padding=1) batchnorm ) relu residual(conv(16,3,pad=1)) gap dense(classes)");
        const string canonical = "conv(8,3,pad=1) relu res(conv(16,3,stride=2,pad=1) batchnorm relu conv(16,3,pad=1) batchnorm) relu res(conv(16,3,pad=1)) gap dense(classes)";
        Assert.Equal(canonical, spec.Text);
        Assert.Equal(canonical, ArchSpec.Parse(canonical).Text);
        Assert.Equal(5, spec.Layers[2].Body.Count);
        Assert.Equal(ArchSpec.Parse(canonical).Layers.Select(l => l.Text), spec.Layers.Select(l => l.Text));
        Assert.Equal([[8, 28, 28], [8, 28, 28], [16, 14, 14], [16, 14, 14], [16, 14, 14], [16], [10]], spec.Shapes([1, 28, 28], 10));
        // Put together (not parsed), a block's layers point into the canonical text.
        var placed = ArchSpec.FromLayers(spec.Layers);
        Assert.Equal(canonical, placed.Text);
        var inner = placed.Layers[2].Body[3];
        Assert.Equal("conv(16,3,pad=1)", canonical.Substring(inner.Position, inner.Length));
        Assert.True(new ModelSpec(spec, [1, 28, 28], 10).SameArchitecture(new ModelSpec(ArchSpec.Parse(canonical), [1, 28, 28], 10)));
        Assert.False(new ModelSpec(spec, [1, 28, 28], 10).SameArchitecture(new ModelSpec(ArchSpec.Parse(canonical.Replace("res(conv(16,3,pad=1))", "res(conv(16,3,pad=1,bias=false))", StringComparison.Ordinal)), [1, 28, 28], 10)));

        using var pool = new WorkerPool(1);
        var net = NetworkBuilder.Build(new ModelSpec(spec, [1, 28, 28], 10), pool, new Rng(0));
        Assert.Equal([typeof(Conv2d), typeof(ReLU), typeof(Residual), typeof(ReLU), typeof(Residual), typeof(GlobalAvgPool2d), typeof(Linear)], net.Layers.Select(l => l.GetType()));
        var block = (Residual)net.Layers[2];
        Assert.True(block.ReluOnOutput);
        Assert.Equal("Conv2d(8, 16, kernel_size=(1, 1), stride=(2, 2), bias=False)", block.Downsample[0].Describe());
        Assert.Empty(((Residual)net.Layers[4]).Downsample);
        Assert.Equal(NetworkBuilder.CountParameters(new ModelSpec(spec, [1, 28, 28], 10)), net.Parameters.Count);
    }

    [Theory]
    [InlineData("flatten res(dense(10)) dense(10)", "res(dense(10)) needs images [channels, height, width] but gets [784] per sample", "Residual blocks come before flatten", 8, 14)]
    [InlineData("conv(4,3) res(conv(4,3,pad=1) gap) dense(10)", "res(conv(4,3,pad=1) gap) gives [4] per sample; a residual block's layers must give images", "Leave flatten, gap and dense out", 10, 24)]
    [InlineData("conv(4,3) res(conv(8,3)) gap dense(10)", "the 1x1 projection of its input (stride 1, the block's strides together) gives [8, 26, 26], which cannot be added", "pad=1", 10, 14)]
    [InlineData("conv(4,3) res(conv(8,3,pad=1) conv(8,7,pad=1)) gap dense(10)", "res(conv(8,3,pad=1) conv(8,7,pad=1)) turns [4, 26, 26] into [8, 22, 22]", "pad=1", 10, 36)]
    [InlineData("conv(4,3) gap gap dense(10)", "gap needs images [channels, height, width] but gets [4] per sample", "in place of flatten", 14, 3)]
    public void ResAndGapShapeErrors_PointAtTheBlock_AndSayHowToFixIt(string text, string message, string hint, int column, int width)
    {
        var e = Assert.Throws<FcnLabException>(() => ArchSpec.Parse(text).Shapes([1, 28, 28], 10));
        Assert.Contains(message, e.Message);
        Assert.Contains(hint, e.Message);
        Assert.Equal("  " + new string(' ', column) + new string('^', width), e.Message.Split('\n')[2]);
    }

    [Fact]
    public void Resnet_IsBuiltIn_WithItsDocumentedSize()
    {
        var spec = new ModelSpec(ArchSpec.Parse("resnet"), [1, 28, 28], 10);
        Assert.Equal("resnet", spec.Arch.Name);
        Assert.Equal("resnet", spec.Arch.RunName);
        Assert.Equal(73_082, NetworkBuilder.CountParameters(spec));
        Assert.Equal([10], spec.Arch.Shapes([1, 28, 28], 10)[^1]);
    }

    [Theory]
    [InlineData("conv(6,5,pad=2) relu maxpool(2) conv(16,5) relu maxpool(2) flatten dense(120) relu dense(84) relu dense(10)", 61_706)] // LeNet-5
    [InlineData("conv(4,3,pad=1) res(conv(6,3,stride=2,pad=1) batchnorm relu conv(6,3,pad=1) batchnorm) relu res(conv(6,3,pad=1,bias=false) res(conv(6,1) batchnorm)) gap dense(classes)", 0)]
    [InlineData("conv(5,3,stride=2,bias=false) batchnorm leaky-relu avgpool(3,stride=2,pad=1) flatten dropout(0.1) dense(7) batchnorm tanh dense(classes)", 0)]
    [InlineData("flatten dense(33) sigmoid dense(classes)", 0)]
    public void CountParameters_WithoutBuilding_IsWhatTheBuiltNetworkHas(string text, long known)
    {
        var spec = new ModelSpec(ArchSpec.Parse(text), [1, 28, 28], 10);
        using var pool = new WorkerPool(1);
        long built = ModelSummary.Of(NetworkBuilder.Build(spec, pool, new Rng(0))).Parameters;
        Assert.Equal(built, NetworkBuilder.CountParameters(spec));
        if (known > 0) Assert.Equal(known, built);
    }

    [Theory]
    [InlineData("flatten dense(1000000000) dense(classes)", "The network has 795,000,000,010 parameters; FcnLab holds at most 2,147,483,647")]
    [InlineData("conv(60000,7) conv(60000,7) flatten dense(classes)", "parameters; FcnLab holds at most 2,147,483,647")]
    public void ANetworkTooLargeToHold_IsRefusedBeforeItIsBuilt(string text, string message)
    {
        var spec = new ModelSpec(ArchSpec.Parse(text), [1, 28, 28], 10);
        Assert.Contains(message, Assert.Throws<FcnLabException>(() => NetworkBuilder.Validate(spec)).Message);
        Assert.Contains(message, Assert.Throws<FcnLabException>(() => ModelSummary.Of(spec)).Message);
        var dense = new ModelSpec(new DenseShorthand([100_000, 100_000], Activation.ReLU, 0.01f, false, 0).ToArchSpec(), [1, 28, 28], 10);
        Assert.Contains("The network has 10,079,600,010 parameters", Assert.Throws<FcnLabException>(() => NetworkBuilder.Validate(dense)).Message);
    }

    [Fact]
    public void Initialize_UsesConvFans_AndTheFollowingActivationsGain()
    {
        var spec = new ModelSpec(ArchSpec.Parse("conv(16,3) tanh flatten dense(4)"), [3, 8, 8], 4);
        using var pool = new WorkerPool(1);
        var net = NetworkBuilder.Build(spec, pool, new Rng(0));
        NetworkBuilder.Initialize(net, spec, InitScheme.KaimingUniform, 1, new Rng(1));
        var conv = (Conv2d)net.Layers[0];
        // tanh's gain 5/3, fan_in 3*3*3 = 27: bound 5/3 * sqrt(3/27).
        double bound = 5.0 / 3 * Math.Sqrt(3.0 / 27);
        Assert.All(conv.Weight.Value.ToArray(), v => Assert.True(Math.Abs(v) <= bound));
        Assert.True(conv.Weight.Value.ToArray().Max(Math.Abs) > 0.9 * bound);
        Assert.All(conv.Bias!.Value.ToArray(), v => Assert.Equal(0f, v));
        NetworkBuilder.Initialize(net, spec, InitScheme.Default, 1, new Rng(1));
        Assert.All(conv.Bias.Value.ToArray(), v => Assert.True(Math.Abs(v) <= 1 / Math.Sqrt(27)));
        Assert.Contains(conv.Bias.Value.ToArray(), v => v != 0);
    }
}
