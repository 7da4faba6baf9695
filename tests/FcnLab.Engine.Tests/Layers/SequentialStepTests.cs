using System.Text.Json;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Losses;
using FcnLab.Engine.Models;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using static FcnLab.Engine.Tests.Layers.LayerTestKit;

namespace FcnLab.Engine.Tests.Layers;

/// <summary>Layers and loss together: one PyTorch SGD step end to end, and no allocation per step.</summary>
public sealed class SequentialStepTests : IDisposable
{
    private readonly WorkerPool _pool = new(2);

    public void Dispose() => _pool.Dispose();

    [Fact]
    public void OneSgdStep_MatchesPyTorch()
    {
        var c = Case("mlp_bn_sgd_step");
        int[] shape = c.Ints("x_shape");
        // Built as training builds it: batch norm applies the ReLU, the last Linear its derivative.
        var net = NetworkBuilder.Build(new ModelSpec(ArchSpec.Parse("dense(5) batchnorm relu dense(classes)"), [6], 3), _pool, new Rng(0));
        var (l0, bn, l3) = ((Linear)net.Layers[0], (BatchNorm1d)net.Layers[1], (Linear)net.Layers[3]);
        Assert.True(bn.ReluOnOutput && l3.ReluOnInput);
        Load(c.GetProperty("state_before"), l0, bn, l3);
        var x = Tensor.From(c.Floats("x"), shape);
        var labels = c.Ints("labels");
        var loss = new SoftmaxCrossEntropy();

        net.Parameters.ZeroGrad();
        double before = loss.Forward(net.Forward(x, training: true), labels);
        net.Backward(loss.Backward());
        Assert.Equal(c.GetProperty("loss_before").GetDouble(), before, 5);

        SgdStep(net.Parameters, c.GetProperty("lr").GetSingle());

        var after = c.GetProperty("state_after");
        AssertClose(TransposeWeight(after.Floats("0.weight"), 5, 6), l0.Weight.Value.Span, what: "0.weight");
        AssertClose(after.Floats("0.bias"), l0.Bias.Value.Span, what: "0.bias");
        AssertClose(after.Floats("1.weight"), bn.Weight.Value.Span, what: "1.weight");
        AssertClose(after.Floats("1.bias"), bn.Bias.Value.Span, what: "1.bias");
        AssertClose(TransposeWeight(after.Floats("3.weight"), 3, 5), l3.Weight.Value.Span, what: "3.weight");
        AssertClose(after.Floats("3.bias"), l3.Bias.Value.Span, what: "3.bias");
        Assert.Equal(["1.running_mean", "1.running_var"], net.Buffers().Select(b => b.Name));

        double afterLoss = loss.Forward(net.Forward(x, training: true), labels);
        Assert.Equal(c.GetProperty("loss_after_one_step").GetDouble(), afterLoss, 5);
        // The reference recorded its state after that second training-mode forward: running stats moved twice.
        AssertClose(after.Floats("1.running_mean"), bn.RunningMean.Span, what: "1.running_mean");
        AssertClose(after.Floats("1.running_var"), bn.RunningVar.Span, what: "1.running_var");
    }

    /// <summary>
    /// NetworkBuilder builds a ReLU into the Linear, Conv2d or batch norm before it (forward) and the
    /// Linear or MaxPool2d after it (backward); the same layers built unfused, each ReLU on its own, must
    /// give the same output and gradients exactly.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void FusedRelus_GiveExactlyTheUnfusedResults(int variant)
    {
        const int batch = 19;
        int[] inputShape = variant == 3 ? [2, 9, 9] : [13];
        string arch = variant switch
        {
            0 => "dense(40) relu dropout(0.3) dense(33) relu dense(7)",
            1 => "dense(40) relu dense(33) relu dense(7) relu",
            2 => "dense(40) batchnorm relu dense(33) batchnorm relu dense(7)",
            // Conv -> ReLU -> MaxPool, and BatchNorm2d -> ReLU -> an overlapping, padded MaxPool.
            _ => "conv(4,3,pad=1) relu maxpool(2) conv(6,3,pad=1) batchnorm relu maxpool(3,stride=1,pad=1) flatten dense(7)",
        };
        var spec = new ModelSpec(ArchSpec.Parse(arch), inputShape, 7);
        var fused = NetworkBuilder.Build(spec, _pool, new Rng(5));
        var plainNet = NetworkBuilder.Build(spec, _pool, new Rng(5), fuse: false);
        var (fusedLayers, plainLayers, plain) = (fused.Layers, plainNet.Layers.ToArray(), plainNet.Parameters);
        Assert.Contains(fusedLayers, l => l is ReLU { AppliedByPrevious: true, DerivativeAppliedByNext: true });
        Assert.DoesNotContain(plainLayers, l => l is ReLU { AppliedByPrevious: true } or ReLU { DerivativeAppliedByNext: true }
            or Linear { ReluOnOutput: true } or Linear { ReluOnInput: true } or Conv2d { ReluOnOutput: true } or BatchNorm1d { ReluOnOutput: true }
            or BatchNorm2d { ReluOnOutput: true } or MaxPool2d { ReluOnInput: true });
        // Each half of a fusion has its other half: a layer applies a ReLU exactly where the ReLU passes values through.
        for (int i = 0; i < fusedLayers.Count; i++)
        {
            if (fusedLayers[i] is not ReLU relu) continue;
            Assert.Equal(relu.AppliedByPrevious, fusedLayers[i - 1] is Linear { ReluOnOutput: true } or Conv2d { ReluOnOutput: true }
                or BatchNorm1d { ReluOnOutput: true } or BatchNorm2d { ReluOnOutput: true });
            Assert.Equal(relu.DerivativeAppliedByNext, i + 1 < fusedLayers.Count && fusedLayers[i + 1] is Linear { ReluOnInput: true } or MaxPool2d { ReluOnInput: true });
        }

        var rng = new Rng(23);
        FillUniform(fused.Parameters.Values.Span, rng, 0.5f);
        fused.Parameters.Values.Span.CopyTo(plain.Values.Span);
        var x = Tensor.Zeros([batch, .. inputShape]);
        FillUniform(x.Span, rng);
        var dy = Tensor.Zeros(batch, 7);
        FillUniform(dy.Span, rng);

        fused.Parameters.ZeroGrad();
        plain.ZeroGrad();
        var yFused = fused.Forward(x, training: true);
        fused.Backward(dy);
        var h = x;
        foreach (var layer in plainLayers) h = layer.Forward(h, training: true);
        Tensor? g = dy;
        for (int i = plainLayers.Length - 1; i >= 0 && g != null; i--) g = plainLayers[i].Backward(g);

        Assert.Equal(h.ToArray(), yFused.ToArray());
        Assert.Equal(plain.Grads.ToArray(), fused.Parameters.Grads.ToArray());
        // The ReLUs did cut something.
        Assert.Contains(plainLayers.OfType<ReLU>().First().Forward(plainLayers[0].Forward(x, true), true).ToArray(), v => v == 0f);
    }

    [Fact]
    public void TrainingStep_AllocatesNothingAfterWarmUp()
    {
        var rng = new Rng(17);
        var net = NetworkBuilder.Build(new ModelSpec(ArchSpec.Parse("dense(9) batchnorm relu dropout(0.3) dense(classes)"), [7], 4), _pool, new Rng(18));
        FillUniform(net.Parameters.Values.Span, rng, 0.5f);
        ((BatchNorm1d)net.Layers[1]).ResetParameters();
        var x = Tensor.Zeros(5, 7);
        FillUniform(x.Span, rng);
        var xEval = Tensor.Zeros(3, 7);
        int[] labels = [0, 1, 2, 3, 1];
        var loss = new SoftmaxCrossEntropy();

        void Step()
        {
            net.Parameters.ZeroGrad();
            double value = loss.Forward(net.Forward(x, training: true), labels);
            net.Backward(loss.Backward());
            Assert.True(double.IsFinite(value));
            net.Forward(xEval, training: false);
        }

        Step();
        Step();
        Assert.Equal(0, Allocations.Measure(() => { for (int i = 0; i < 3; i++) Step(); }));
    }

    private static void Load(JsonElement state, Linear l0, BatchNorm1d bn, Linear l3)
    {
        TransposeWeight(state.Floats("0.weight"), 5, 6).CopyTo(l0.Weight.Value.Span);
        state.Floats("0.bias").CopyTo(l0.Bias.Value.Span);
        state.Floats("1.weight").CopyTo(bn.Weight.Value.Span);
        state.Floats("1.bias").CopyTo(bn.Bias.Value.Span);
        state.Floats("1.running_mean").CopyTo(bn.RunningMean.Span);
        state.Floats("1.running_var").CopyTo(bn.RunningVar.Span);
        TransposeWeight(state.Floats("3.weight"), 3, 5).CopyTo(l3.Weight.Value.Span);
        state.Floats("3.bias").CopyTo(l3.Bias.Value.Span);
    }
}
