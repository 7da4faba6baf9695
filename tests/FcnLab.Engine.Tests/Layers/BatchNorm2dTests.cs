using FcnLab.Engine.Layers;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using static FcnLab.Engine.Tests.Layers.LayerTestKit;

namespace FcnLab.Engine.Tests.Layers;

public sealed class BatchNorm2dTests : IDisposable
{
    private readonly WorkerPool _pool = new(2);

    public void Dispose() => _pool.Dispose();

    [Fact]
    public void MatchesPyTorch_TrainingStep_RunningStats_AndEval()
    {
        var c = CnnCase("batchnorm2d");
        int[] shape = c.Ints("x_shape");
        var bn = new BatchNorm2d(shape[1], c.GetProperty("momentum").GetDouble(), c.GetProperty("eps").GetDouble(), _pool);
        Bind(bn);
        c.Floats("gamma").CopyTo(bn.Weight.Value.Span);
        c.Floats("beta").CopyTo(bn.Bias.Value.Span);

        var y = bn.Forward(Tensor.From(c.Floats("x"), shape), training: true);
        AssertClose(c.Floats("y"), y.Span, what: "y");
        var dx = bn.Backward(Tensor.From(c.Floats("grad_y"), shape));
        AssertClose(c.Floats("grad_x"), dx!.Span, what: "grad_x");
        AssertClose(c.Floats("grad_gamma"), bn.Weight.Grad.Span, atol: 1e-4, what: "grad_gamma");
        AssertClose(c.Floats("grad_beta"), bn.Bias.Grad.Span, atol: 1e-4, what: "grad_beta");
        AssertClose(c.Floats("running_mean"), bn.RunningMean.Span, what: "running_mean");
        AssertClose(c.Floats("running_var"), bn.RunningVar.Span, what: "running_var");

        var evalX = c.Floats("eval_x");
        var evalY = bn.Forward(Tensor.From(evalX, evalX.Length / (shape[1] * shape[2] * shape[3]), shape[1], shape[2], shape[3]), training: false);
        AssertClose(c.Floats("eval_y"), evalY.Span, what: "eval_y");
        AssertClose(c.Floats("running_mean"), bn.RunningMean.Span, what: "running_mean after eval");
    }

    [Theory]
    [InlineData(3, 2, 3, 3)]
    [InlineData(1, 3, 5, 2)]
    [InlineData(2, 1, 1, 7)]
    public void TrainingGradientsMatchFiniteDifferences(int batch, int channels, int h, int w)
    {
        var (bn, x) = Random(batch, channels, h, w, seed: 51, _pool);
        GradCheck(bn, x, training: true, eps: 1e-2f, atol: 2e-3, rtol: 1e-2);
    }

    [Fact]
    public void EvalGradientsMatchFiniteDifferences()
    {
        var (bn, x) = Random(2, 3, 4, 5, seed: 52, _pool);
        for (int i = 0; i < 3; i++) bn.Forward(x, training: true);
        GradCheck(bn, x, training: false, eps: 1e-2f, atol: 1e-3, rtol: 1e-3);
    }

    [Fact]
    public void ThreadCount_DoesNotChangeAnyBit_AndNothingIsAllocatedAfterWarmUp()
    {
        using var one = new WorkerPool(1);
        var reference = Run(null);
        Assert.Equal(reference, Run(one));
        Assert.Equal(reference, Run(_pool));

        float[] Run(WorkerPool? pool)
        {
            var (bn, x) = Random(9, 5, 7, 11, seed: 53, pool);
            var dy = Tensor.Zeros(x.Shape);
            FillUniform(dy.Span, new Rng(54));
            var results = new List<float>();
            for (int step = 0; step < 3; step++)
            {
                var y = bn.Forward(x, true);
                var dx = bn.Backward(dy)!;
                results.AddRange(y.ToArray());
                results.AddRange(dx.ToArray());
            }
            results.AddRange(bn.Forward(x, false).ToArray());
            results.AddRange(bn.Weight.Grad.ToArray());
            results.AddRange(bn.Bias.Grad.ToArray());
            results.AddRange(bn.RunningMean.ToArray());
            results.AddRange(bn.RunningVar.ToArray());
            // After the results are taken: each measured run moves the running statistics again.
            Assert.Equal(0, Allocations.Measure(() => { bn.Forward(x, true); bn.Backward(dy); }));
            return [.. results];
        }
    }

    [Fact]
    public void OneValuePerChannel_IsAClearError_AndItDescribesItself()
    {
        var bn = new BatchNorm2d(3);
        Bind(bn);
        bn.ResetParameters();
        Assert.Contains("more than 1 value per channel", Assert.Throws<FcnLabException>(() => bn.Forward(Tensor.Zeros(1, 3, 1, 1), true)).Message);
        Assert.Equal([1, 3, 1, 1], bn.Forward(Tensor.Zeros(1, 3, 1, 1), false).Shape);
        Assert.Equal("BatchNorm2d(3, eps=1e-05, momentum=0.1)", bn.Describe());
        Assert.Equal(["running_mean", "running_var"], bn.Buffers.Select(b => b.Name));
        Assert.Equal([3, 4, 4], bn.OutputShape([3, 4, 4]));
        Assert.Throws<FcnLabException>(() => bn.OutputShape([3]));
        Assert.Throws<FcnLabException>(() => bn.Forward(Tensor.Zeros(2, 4, 2, 2), true));
    }

    private static (BatchNorm2d, Tensor) Random(int batch, int channels, int h, int w, int seed, WorkerPool? pool)
    {
        var rng = new Rng((ulong)seed);
        var bn = new BatchNorm2d(channels, pool: pool);
        Bind(bn);
        bn.ResetParameters();
        FillUniform(bn.Weight.Value.Span, rng);
        FillUniform(bn.Bias.Value.Span, rng);
        var x = Tensor.Zeros(batch, channels, h, w);
        FillUniform(x.Span, rng, 2f);
        return (bn, x);
    }
}
