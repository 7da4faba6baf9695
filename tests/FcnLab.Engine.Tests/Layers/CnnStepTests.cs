using FcnLab.Engine.Layers;
using FcnLab.Engine.Losses;
using FcnLab.Engine.Models;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using static FcnLab.Engine.Tests.Layers.LayerTestKit;

namespace FcnLab.Engine.Tests.Layers;

/// <summary>The convolutional layers together: one PyTorch SGD step end to end, and no allocation per step.</summary>
public sealed class CnnStepTests : IDisposable
{
    private readonly WorkerPool _pool = new(2);

    public void Dispose() => _pool.Dispose();

    [Fact]
    public void OneSgdStep_MatchesPyTorch()
    {
        var c = CnnCase("cnn_sgd_step");
        int[] shape = c.Ints("x_shape");
        // Built as training builds it: batch norm applies the ReLU, max pooling its derivative.
        var net = NetworkBuilder.Build(new ModelSpec(ArchSpec.Parse("conv(3,3,pad=1) batchnorm relu maxpool(2) flatten dense(classes)"), shape[1..], 4), _pool, new Rng(0));
        Assert.Equal([4], net.OutputShape);
        var (conv, bn, linear) = ((Conv2d)net.Layers[0], (BatchNorm2d)net.Layers[1], (Linear)net.Layers[5]);
        Assert.True(bn.ReluOnOutput && ((MaxPool2d)net.Layers[3]).ReluOnInput);
        var before = c.GetProperty("state_before");
        before.Floats("0.weight").CopyTo(conv.Weight.Value.Span);
        before.Floats("0.bias").CopyTo(conv.Bias!.Value.Span);
        before.Floats("1.weight").CopyTo(bn.Weight.Value.Span);
        before.Floats("1.bias").CopyTo(bn.Bias.Value.Span);
        before.Floats("1.running_mean").CopyTo(bn.RunningMean.Span);
        before.Floats("1.running_var").CopyTo(bn.RunningVar.Span);
        TransposeWeight(before.Floats("5.weight"), 4, 27).CopyTo(linear.Weight.Value.Span);
        before.Floats("5.bias").CopyTo(linear.Bias.Value.Span);
        var x = Tensor.From(c.Floats("x"), shape);
        var labels = c.Ints("labels");
        var loss = new SoftmaxCrossEntropy();

        net.Parameters.ZeroGrad();
        Assert.Equal(c.GetProperty("loss_before").GetDouble(), loss.Forward(net.Forward(x, training: true), labels), 5);
        net.Backward(loss.Backward());
        SgdStep(net.Parameters, c.GetProperty("lr").GetSingle());

        var after = c.GetProperty("state_after");
        AssertClose(after.Floats("0.weight"), conv.Weight.Value.Span, what: "0.weight");
        AssertClose(after.Floats("0.bias"), conv.Bias.Value.Span, what: "0.bias");
        AssertClose(after.Floats("1.weight"), bn.Weight.Value.Span, what: "1.weight");
        AssertClose(after.Floats("1.bias"), bn.Bias.Value.Span, what: "1.bias");
        AssertClose(TransposeWeight(after.Floats("5.weight"), 4, 27), linear.Weight.Value.Span, what: "5.weight");
        AssertClose(after.Floats("5.bias"), linear.Bias.Value.Span, what: "5.bias");
        Assert.Equal(c.GetProperty("loss_after_one_step").GetDouble(), loss.Forward(net.Forward(x, training: true), labels), 5);
        AssertClose(after.Floats("1.running_mean"), bn.RunningMean.Span, what: "1.running_mean");
        AssertClose(after.Floats("1.running_var"), bn.RunningVar.Span, what: "1.running_var");
    }

    [Theory]
    [InlineData("conv(4,3,pad=1) batchnorm relu maxpool(2) conv(6,3) tanh avgpool(2) dropout(0.25) flatten dense(classes)")]
    [InlineData("conv(4,3,pad=1) batchnorm relu res(conv(6,3,stride=2,pad=1) batchnorm relu conv(6,3,pad=1) batchnorm) relu res(conv(6,3,pad=1) dropout(0.25)) gap dense(classes)")]
    public void TrainingStep_AllocatesNothingAfterWarmUp(string arch)
    {
        var spec = new ModelSpec(ArchSpec.Parse(arch), [1, 12, 12], 5);
        var net = NetworkBuilder.Build(spec, _pool, new Rng(3));
        FillUniform(net.Parameters.Values.Span, new Rng(4), 0.5f);
        var x = Tensor.Zeros(6, 1, 12, 12);
        FillUniform(x.Span, new Rng(5));
        var xEval = Tensor.Zeros(3, 1, 12, 12);
        int[] labels = [0, 1, 2, 3, 4, 0];
        var loss = new SoftmaxCrossEntropy();
        void Step()
        {
            net.Parameters.ZeroGrad();
            Assert.True(double.IsFinite(loss.Forward(net.Forward(x, training: true), labels)));
            net.Backward(loss.Backward());
            net.Forward(xEval, training: false);
        }
        Step();
        Step();
        Assert.Equal(0, Allocations.Measure(() => { for (int i = 0; i < 3; i++) Step(); }));
    }
}
