using FcnLab.Engine.Layers;
using FcnLab.Engine.Losses;
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
        var conv = new Conv2d(2, 3, 3, padding: 1, pool: _pool);
        var bn = new BatchNorm2d(3, pool: _pool);
        var linear = new Linear(27, 4, NewGemm(_pool));
        var net = new Sequential(shape[1..], [conv, bn, new ReLU(), new MaxPool2d(2, pool: _pool), new Flatten(), linear]);
        Assert.Equal([4], net.OutputShape);
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

    [Fact]
    public void TrainingStep_AllocatesNothingAfterWarmUp()
    {
        var gemm = NewGemm(_pool);
        var net = new Sequential([1, 12, 12],
        [
            new Conv2d(1, 4, 3, padding: 1, pool: _pool), new BatchNorm2d(4, pool: _pool), new ReLU(), new MaxPool2d(2, pool: _pool),
            new Conv2d(4, 6, 3, pool: _pool), new Tanh(), new AvgPool2d(2, pool: _pool), new Dropout(0.25f, new Rng(3)),
            new Flatten(), new Linear(24, 5, gemm),
        ]);
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
