using FcnLab.Engine.Init;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Models;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using FcnLab.Engine.Training;

namespace FcnLab.Engine.Tests.Training;

public class GradientCheckTests
{
    private static Sequential Network(string arch, int[] inputShape, int classes, WorkerPool pool)
    {
        var spec = new ModelSpec(ArchSpec.Parse(arch), inputShape, classes);
        var net = NetworkBuilder.Build(spec, pool, new Rng(1));
        NetworkBuilder.Initialize(net, spec, InitScheme.Default, 1, new Rng(2));
        return net;
    }

    private static Tensor Inputs(int rows, int features, int seed)
    {
        var x = Tensor.Zeros(rows, features);
        var rng = new Rng((ulong)seed);
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextGaussian();
        return x;
    }

    [Fact]
    public void ConvolutionalNetwork_EveryParameterTensorIsChecked_AndAgrees()
    {
        using var pool = new WorkerPool(2);
        var net = Network("conv(3,3,pad=1) batchnorm tanh maxpool(2) conv(4,2) sigmoid avgpool(2) flatten dense(7) batchnorm leaky-relu dense(classes)", [2, 8, 8], 4, pool);
        var rows = GradientCheck.Run(net, Inputs(6, 128, 3), [0, 1, 2, 3, 0, 1]);

        // First, middle and last element of each of the 12 parameter tensors (distinct where a tensor is short).
        foreach (string name in new[] { "Conv layer 1 weight", "Conv layer 1 bias", "Batch norm 1 weight", "Batch norm 1 bias", "Conv layer 2 weight",
                     "Conv layer 2 bias", "Hidden layer 1 weight", "Hidden layer 1 bias", "Batch norm 2 weight", "Batch norm 2 bias", "Output layer weight", "Output layer bias" })
            Assert.Equal(3, rows.Count(r => r.Description.StartsWith(name + " [", StringComparison.Ordinal)));
        Assert.Contains(rows, r => r.Description == "Conv layer 1 weight [2,1,2,2]"); // the last of [3, 2, 3, 3], in PyTorch's order
        Assert.Contains(rows, r => r.Description == "Output layer weight [3,6]"); // the last of Linear(7, 4)'s [out, in]
        Assert.All(rows, r => Assert.True(r.Agrees, $"{r.Description}: {r.Analytic} vs {r.Approximate}"));
        Assert.True(rows.Count(r => !r.Kink) >= rows.Count - 3, "almost every row is judged");
    }

    [Fact]
    public void ResidualNetwork_EveryParameterOfEveryBlockIsChecked_BothBranches_AndAgrees()
    {
        using var pool = new WorkerPool(2);
        var net = Network("conv(3,3,pad=1) batchnorm relu res(conv(4,3,stride=2,pad=1) batchnorm relu conv(4,3,pad=1) batchnorm) relu "
            + "res(conv(4,3,pad=1) batchnorm tanh conv(4,3,pad=1,bias=false) batchnorm) relu gap dense(classes)", [1, 6, 6], 3, pool);
        var rows = GradientCheck.Run(net, Inputs(6, 36, 4), [0, 1, 2, 0, 1, 2]);

        // The first block has a projection (channels 3 -> 4, stride 2); the second is the identity.
        foreach (string name in new[] { "body.0.weight", "body.0.bias", "body.1.weight", "body.1.bias", "body.3.weight", "body.3.bias", "body.4.weight", "body.4.bias",
                     "downsample.0.weight", "downsample.1.weight", "downsample.1.bias" })
            Assert.Equal(3, rows.Count(r => r.Description.StartsWith($"Res block 1 {name} [", StringComparison.Ordinal)));
        foreach (string name in new[] { "body.0.weight", "body.0.bias", "body.1.weight", "body.1.bias", "body.3.weight", "body.4.weight", "body.4.bias" })
            Assert.Equal(3, rows.Count(r => r.Description.StartsWith($"Res block 2 {name} [", StringComparison.Ordinal)));
        Assert.DoesNotContain(rows, r => r.Description.StartsWith("Res block 2 downsample", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Description == "Res block 1 downsample.0.weight [3,2,0,0]"); // the last of [4, 3, 1, 1]
        // Every parameter tensor of the network has its rows.
        Assert.Equal(net.Parameters.Parameters.Count, rows.Select(r => r.Description[..r.Description.LastIndexOf(" [", StringComparison.Ordinal)]).Distinct().Count());
        Assert.All(rows, r => Assert.True(r.Agrees, $"{r.Description}: {r.Analytic} vs {r.Approximate}"));
        Assert.True(rows.Count(r => !r.Kink) >= rows.Count * 3 / 4, "most rows are judged");
    }

    [Fact]
    public void ADifferenceBeyondEpsSquared_IsReportedAsDisagreeing()
    {
        using var pool = new WorkerPool(1);
        var net = Network("flatten dense(5) tanh dense(classes)", [1, 4, 4], 3, pool);
        // eps = 1e-6 in float32: the difference quotient is rounding noise of order 0.1, far beyond eps^2.
        var rows = GradientCheck.Run(net, Inputs(4, 16, 5), [0, 1, 2, 0], eps: 1e-6);
        Assert.Contains(rows, r => !r.Agrees && !r.Kink);
    }

    [Fact]
    public void AMaxPoolWindowChangingItsWinner_IsAKink()
    {
        using var pool = new WorkerPool(1);
        // A 1x1 convolution with weight 0: at w = +eps each window's winner is its largest pixel, at -eps its smallest.
        var net = Network("conv(1,1) maxpool(2) flatten dense(classes)", [1, 4, 4], 2, pool);
        var conv = (Conv2d)net.Layers[0];
        conv.Weight.Value[0] = 0f;
        var rows = GradientCheck.Run(net, Inputs(2, 16, 7), [0, 1]);
        Assert.True(rows.Single(r => r.Description == "Conv layer 1 weight [0,0,0,0]").Kink);
        Assert.False(rows.Single(r => r.Description == "Output layer bias [0]").Kink);
    }
}
