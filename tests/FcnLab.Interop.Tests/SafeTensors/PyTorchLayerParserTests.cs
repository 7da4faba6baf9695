using FcnLab.Engine;
using FcnLab.Engine.Data;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Models;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using FcnLab.Interop.SafeTensors;

namespace FcnLab.Interop.Tests.SafeTensors;

/// <summary>A sidecar's torch.nn modules -> FcnLab's architecture: both spellings, every refusal, and the round trip through Describe.</summary>
public sealed class PyTorchLayerParserTests
{
    // Each module in FcnLab's spelling and in PyTorch 1.13's repr (checked with python3), and the --arch layer both mean.
    [Theory]
    [InlineData("Linear(784, 256)", "dense(256)")]
    [InlineData("Linear(in_features=784, out_features=256, bias=True)", "dense(256)")]
    [InlineData("BatchNorm1d(256, eps=1e-05, momentum=0.1)", "batchnorm")]
    [InlineData("BatchNorm1d(256, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", "batchnorm")]
    [InlineData("BatchNorm2d(6, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", "batchnorm")]
    [InlineData("ReLU()", "relu")]
    [InlineData("ReLU(inplace=True)", "relu")]
    [InlineData("nn.ReLU()", "relu")]
    [InlineData("LeakyReLU(0.01)", "leaky-relu")]
    [InlineData("LeakyReLU(negative_slope=0.2, inplace=True)", "leaky-relu(0.2)")]
    [InlineData("Sigmoid()", "sigmoid")]
    [InlineData("Tanh()", "tanh")]
    [InlineData("Dropout(0.3)", "dropout(0.3)")]
    [InlineData("Dropout(p=0.2, inplace=False)", "dropout(0.2)")]
    [InlineData("Dropout()", "dropout(0.5)")]
    [InlineData("Conv2d(1, 6, 5, stride=1, padding=2)", "conv(6,5,pad=2)")]
    [InlineData("Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))", "conv(6,5,pad=2)")]
    [InlineData("Conv2d(1, 6, kernel_size=(3, 3), stride=(2, 2), padding=same)", "conv(6,3,stride=2,pad=1)")]
    [InlineData("Conv2d(1, 6, kernel_size=(3, 3), stride=(1, 1), padding=valid, bias=False)", "conv(6,3,bias=false)")]
    [InlineData("Conv2d(in_channels=1, out_channels=6, kernel_size=3, padding='same')", "conv(6,3,pad=1)")]
    [InlineData("MaxPool2d(2, stride=2)", "maxpool(2)")]
    [InlineData("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)", "maxpool(2)")]
    [InlineData("MaxPool2d(kernel_size=(3, 3), stride=2, padding=1, dilation=1, ceil_mode=False)", "maxpool(3,stride=2,pad=1)")]
    [InlineData("AvgPool2d(kernel_size=2, stride=2, padding=0)", "avgpool(2)")]
    [InlineData("AvgPool2d(2, stride=1, padding=1)", "avgpool(2,stride=1,pad=1)")]
    [InlineData("AvgPool2d(2, None, 0, False, True, None)", "avgpool(2)")]
    [InlineData("Flatten()", "flatten")]
    [InlineData("Flatten(start_dim=1, end_dim=-1)", "flatten")]
    [InlineData("Flatten(1, -1)", "flatten")]
    public void EachModule_InBothSpellings_IsTheFcnLabLayer(string module, string arch) =>
        Assert.Equal(arch, PyTorchLayerParser.ParseLayers([module]));

    [Theory]
    [InlineData("Linear(in_features=784, out_features=256, bias=False)", "bias=False is not supported: FcnLab's dense layer always has a bias")]
    [InlineData("Conv2d(2, 6, kernel_size=(3, 5), stride=(1, 1))", "kernel_size=(3, 5) is not square")]
    [InlineData("Conv2d(2, 6, kernel_size=(3, 3), stride=(1, 2))", "stride=(1, 2) is not square")]
    [InlineData("Conv2d(2, 6, kernel_size=(3, 3), stride=(1, 1), dilation=(2, 2))", "dilation other than 1 is not supported")]
    [InlineData("Conv2d(2, 6, kernel_size=(3, 3), stride=(1, 1), groups=2)", "groups other than 1 is not supported")]
    [InlineData("Conv2d(2, 6, kernel_size=(3, 3), stride=(1, 1), padding_mode=reflect)", "padding_mode=reflect is not supported")]
    [InlineData("Conv2d(2, 6, kernel_size=(4, 4), stride=(1, 1), padding=same)", "padding=same with the even kernel 4")]
    [InlineData("Conv2d(2, 6, 3, padding=3)", "pad 3 must be smaller than the window 3")]
    [InlineData("Conv2d(2, 6, 3, dtype=torch.float64)", "dtype=torch.float64 is not supported")]
    [InlineData("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=2, ceil_mode=False)", "dilation other than 1 is not supported")]
    [InlineData("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=True)", "ceil_mode=True is not supported")]
    [InlineData("MaxPool2d(2, return_indices=True)", "return_indices=True is not supported")]
    [InlineData("MaxPool2d(3, padding=2)", "padding 2 must be at most half the window 3")]
    [InlineData("AvgPool2d(3, stride=2, padding=1, count_include_pad=False)", "count_include_pad=False is not supported")]
    [InlineData("AvgPool2d(2, ceil_mode=True)", "ceil_mode=True is not supported")]
    [InlineData("AvgPool2d(2, divisor_override=3)", "divisor_override is not supported")]
    [InlineData("BatchNorm1d(4, eps=0.001, momentum=0.1, affine=True, track_running_stats=True)", "eps=0.001 is not supported: FcnLab's batchnorm has PyTorch's default eps=1e-05")]
    [InlineData("BatchNorm1d(4, eps=1e-05, momentum=0.01, affine=True, track_running_stats=True)", "momentum=0.01 is not supported")]
    [InlineData("BatchNorm1d(4, eps=1e-05, momentum=None, affine=True, track_running_stats=True)", "momentum=None is not supported")]
    [InlineData("BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=False, track_running_stats=True)", "affine=False is not supported")]
    [InlineData("BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=False)", "track_running_stats=False is not supported")]
    [InlineData("Flatten(start_dim=2, end_dim=3)", "start_dim=2, end_dim=3 is not supported")]
    [InlineData("Dropout(p=1.0, inplace=False)", "dropout probability must be in [0, 1)")]
    [InlineData("LeakyReLU(negative_slope=-0.1)", "the leaky-relu slope must be a number >= 0")]
    [InlineData("Softmax(dim=1)", "Softmax is not a module FcnLab has")]
    [InlineData("Identity()", "Identity is not a module FcnLab has")]
    [InlineData("ReLU(True, False)", "takes at most 1 arguments (inplace)")]
    [InlineData("Linear(784, 10, bias=True, bias=True)", "bias is given twice")]
    [InlineData("Linear(784, 10, activation=relu)", "has no argument 'activation'")]
    [InlineData("Linear(784)", "out_features is missing")]
    [InlineData("Linear(784, ten)", "out_features=ten is not a whole number")]
    [InlineData("Linear(784, 10", "is not a module constructor call")]
    [InlineData("Linear(in_features=784, 10)", "is not a module constructor call")]
    public void WhatFcnLabCannotComputeExactly_IsRefused_NamingTheLayerAndWhy(string module, string expected)
    {
        var e = Assert.Throws<FcnLabException>(() => PyTorchLayerParser.ParseLayers(["Flatten()", module]));
        Assert.StartsWith($"The sidecar's layer 1 \"{module}\": ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void AWholePyTorchList_IsOneArchitecture_WithTheIndicesKept()
    {
        string[] layers =
        [
            "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))", "BatchNorm2d(6, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", "ReLU(inplace=True)",
            "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)", "Conv2d(6, 16, kernel_size=(5, 5), stride=(1, 1))", "Tanh()",
            "AvgPool2d(kernel_size=2, stride=2, padding=0)", "Flatten(start_dim=1, end_dim=-1)", "Linear(in_features=400, out_features=84, bias=True)",
            "LeakyReLU(negative_slope=0.01)", "Dropout(p=0.2, inplace=False)", "Linear(in_features=84, out_features=10, bias=True)",
        ];
        Assert.Equal("conv(6,5,pad=2) batchnorm relu maxpool(2) conv(16,5) tanh avgpool(2) flatten dense(84) leaky-relu dropout(0.2) dense(10)", PyTorchLayerParser.ParseLayers(layers));
        var spec = PyTorchLayerParser.ToModelSpec(layers, [1, 28, 28], 10);
        Assert.Equal([1, 28, 28], spec.InputShape);
        Assert.Equal(PyTorchLayerParser.ParseLayers(layers), spec.Arch.Text);
    }

    // Networks Describe'd layer by layer and parsed back: the same layers, and the same model file.
    [Theory]
    [InlineData("flatten dense(12) batchnorm relu dense(classes)", "1,6,6")]
    [InlineData("flatten dense(12) leaky-relu(0.2) dropout(0.25) dense(9) sigmoid dense(classes)", "1,6,6")]
    [InlineData("conv(4,3,pad=1,bias=false) batchnorm relu maxpool(3,stride=2,pad=1) conv(6,3,stride=2) tanh avgpool(2,stride=1,pad=1) flatten dropout(0.2) dense(10) relu dense(classes)", "2,10,10")]
    [InlineData("lenet5", "1,28,28")]
    [InlineData("cnn", "1,28,28")]
    [InlineData("dense(7) tanh dense(classes)", "36")]
    public void Describe_ThenParseLayers_IsTheSameNetwork(string arch, string shape)
    {
        const int classes = 4;
        int[] inputShape = shape.Split(',').Select(int.Parse).ToArray();
        var spec = new ModelSpec(ArchSpec.Parse(arch), inputShape, classes);
        AssertRoundTrip(spec);
    }

    // FcnLab's dense shorthand (what export writes for --hidden models, Linear first on image inputs) comes back as the shorthand, image shape and all.
    [Fact]
    public void Describe_ThenParseLayers_OfTheDenseShorthand_IsTheShorthand()
    {
        static ModelSpec Dense(int[] hidden, Activation activation, float slope, bool batchNorm, float dropout) =>
            new(new DenseShorthand(hidden, activation, slope, batchNorm, dropout).ToArchSpec(), [1, 6, 6], 3);
        AssertRoundTrip(Dense([10, 7], Activation.LeakyReLU, 0.2f, batchNorm: true, dropout: 0.25f));
        AssertRoundTrip(Dense([10], Activation.Sigmoid, 0.01f, batchNorm: false, dropout: 0));
        AssertRoundTrip(Dense([], Activation.ReLU, 0.01f, batchNorm: false, dropout: 0));
        var shorthand = PyTorchLayerParser.ToModelSpec(["Linear(36, 10)", "LeakyReLU(0.2)", "Dropout(0.25)", "Linear(10, 3)"], [1, 6, 6], 3).Arch.Shorthand!;
        Assert.Equal(("10", Activation.LeakyReLU, 0.2f, 0.25f), (shorthand.RunName, shorthand.Activation, shorthand.LeakySlope, shorthand.Dropout));
        // Not the shorthand's pattern (two activations): any network that starts with Linear keeps the image shape too, and reads it flat.
        var spec = PyTorchLayerParser.ToModelSpec(["Linear(36, 5)", "ReLU()", "Linear(5, 4)", "Tanh()", "Linear(4, 3)"], [1, 6, 6], 3);
        Assert.Equal([1, 6, 6], spec.InputShape);
        Assert.Equal([36], spec.NetworkInputShape);
        Assert.Equal("dense(5) relu dense(4) tanh dense(3)", spec.Arch.Text);
        Assert.Null(spec.Arch.Shorthand);
    }

    private static void AssertRoundTrip(ModelSpec spec)
    {
        using var pool = new WorkerPool(1);
        var network = NetworkBuilder.Build(spec, pool, new Rng(0));
        var layers = network.Layers.Select(PyTorchModules.Describe).ToArray();
        var parsed = PyTorchLayerParser.ToModelSpec(layers, spec.InputShape, spec.Classes);
        var rebuilt = NetworkBuilder.Build(parsed, pool, new Rng(0));
        Assert.Equal(layers, rebuilt.Layers.Select(PyTorchModules.Describe));
        string[] names = ["a", "b", "c", "d"];
        Assert.Equal(ModelFile.Serialize(spec, Normalization.Scale, names[..spec.Classes], network),
            ModelFile.Serialize(parsed, Normalization.Scale, names[..spec.Classes], rebuilt));
    }

    [Fact]
    public void SizesThatDisagreeWithTheLayersBefore_OrTheInputShape_AreNamed()
    {
        var e = Assert.Throws<FcnLabException>(() => PyTorchLayerParser.ToModelSpec(["Flatten()", "Linear(784, 16)", "ReLU()", "Linear(16, 3)"], [1, 8, 8], 3));
        Assert.Contains("layer 1 \"Linear(784, 16)\" does not fit: it takes 784 features, but with inputs of [1, 8, 8] the layers before it give [64]", e.Message);
        e = Assert.Throws<FcnLabException>(() => PyTorchLayerParser.ToModelSpec(["Conv2d(3, 4, 3)", "Flatten()", "Linear(144, 3)"], [1, 8, 8], 3));
        Assert.Contains("layer 0 \"Conv2d(3, 4, 3)\" does not fit: it takes 3 channels", e.Message);
        e = Assert.Throws<FcnLabException>(() => PyTorchLayerParser.ToModelSpec(["Conv2d(1, 4, 3)", "BatchNorm2d(5)", "Flatten()", "Linear(144, 3)"], [1, 8, 8], 3));
        Assert.Contains("layer 1 \"BatchNorm2d(5)\" does not fit: it has 5 features", e.Message);
        e = Assert.Throws<FcnLabException>(() => PyTorchLayerParser.ToModelSpec(["Conv2d(1, 4, 3)", "BatchNorm1d(4)", "Flatten()", "Linear(144, 3)"], [1, 8, 8], 3));
        Assert.Contains("it is BatchNorm1d, but with inputs of [1, 8, 8] the layers before it give images [4, 6, 6]; that is BatchNorm2d", e.Message);
        e = Assert.Throws<FcnLabException>(() => PyTorchLayerParser.ToModelSpec(["Flatten()", "Linear(64, 16)", "ReLU()", "Linear(16, 5)"], [1, 8, 8], 3));
        Assert.Contains("do not fit inputs of [1, 8, 8] and 3 classes", e.Message);
        e = Assert.Throws<FcnLabException>(() => PyTorchLayerParser.ParseLayers([]));
        Assert.Contains("layers list is empty", e.Message);
    }
}
