using FcnLab.Engine.Layers;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using static FcnLab.Engine.Tests.Layers.LayerTestKit;

namespace FcnLab.Engine.Tests.Layers;

public class BatchNorm1dTests
{
    [Fact]
    public void MatchesPyTorch_TrainingStep_RunningStats_AndEval()
    {
        var c = Case("batchnorm1d");
        int[] shape = c.Ints("x_shape");
        int batch = shape[0], features = shape[1];
        var bn = new BatchNorm1d(features, c.GetProperty("momentum").GetDouble(), c.GetProperty("eps").GetDouble());
        Bind(bn);
        c.Floats("gamma").CopyTo(bn.Weight.Value.Span);
        c.Floats("beta").CopyTo(bn.Bias.Value.Span);

        var y = bn.Forward(Tensor.From(c.Floats("x"), batch, features), training: true);
        AssertClose(c.Floats("y"), y.Span, what: "y");
        var dx = bn.Backward(Tensor.From(c.Floats("grad_y"), batch, features));
        AssertClose(c.Floats("grad_x"), dx!.Span, what: "grad_x");
        AssertClose(c.Floats("grad_gamma"), bn.Weight.Grad.Span, what: "grad_gamma");
        AssertClose(c.Floats("grad_beta"), bn.Bias.Grad.Span, what: "grad_beta");
        AssertClose(c.Floats("running_mean"), bn.RunningMean.Span, what: "running_mean");
        AssertClose(c.Floats("running_var"), bn.RunningVar.Span, what: "running_var");

        var evalX = c.Floats("eval_x");
        var evalY = bn.Forward(Tensor.From(evalX, evalX.Length / features, features), training: false);
        AssertClose(c.Floats("eval_y"), evalY.Span, what: "eval_y");
        // Eval does not touch the running statistics.
        AssertClose(c.Floats("running_mean"), bn.RunningMean.Span, what: "running_mean after eval");
    }

    [Theory]
    [InlineData(3, 5)]
    [InlineData(2, 7)]
    [InlineData(9, 11)]
    public void TrainingGradientsMatchFiniteDifferences(int batch, int features)
    {
        var (bn, x) = Random(batch, features, seed: 21);
        GradCheck(bn, x, training: true, eps: 1e-2f, atol: 2e-3, rtol: 1e-2);
    }

    [Fact]
    public void EvalGradientsMatchFiniteDifferences()
    {
        var (bn, x) = Random(3, 5, seed: 22);
        for (int i = 0; i < 4; i++) bn.Forward(x, training: true); // move the running statistics off 0 and 1
        FillUniform(bn.RunningMean.Span, new Rng(1), 0.5f);
        GradCheck(bn, x, training: false, eps: 1e-2f, atol: 1e-3, rtol: 1e-3);
    }

    [Fact]
    public void BatchOfOneInTraining_IsAClearError_ButFineInEval()
    {
        var bn = new BatchNorm1d(4);
        Bind(bn);
        bn.ResetParameters();
        var e = Assert.Throws<FcnLabException>(() => bn.Forward(Tensor.Zeros(1, 4), training: true));
        Assert.Contains("batch of 1", e.Message);
        Assert.Equal([1, 4], bn.Forward(Tensor.Zeros(1, 4), training: false).Shape);
    }

    [Fact]
    public void ResetParameters_GivesPyTorchInitialState_AndDescribesBuffersAndKinds()
    {
        var bn = new BatchNorm1d(3);
        Bind(bn);
        bn.Weight.Value.Span.Fill(5f);
        bn.RunningVar.Span.Fill(7f);
        bn.ResetParameters();
        Assert.All(bn.Weight.Value.ToArray(), v => Assert.Equal(1f, v));
        Assert.All(bn.Bias.Value.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(bn.RunningMean.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(bn.RunningVar.ToArray(), v => Assert.Equal(1f, v));
        Assert.Equal(["running_mean", "running_var"], bn.Buffers.Select(b => b.Name));
        Assert.Equal(ParameterKind.BatchNormScale, bn.Weight.Kind);
        Assert.Equal(ParameterKind.BatchNormShift, bn.Bias.Kind);
        Assert.Equal([3], bn.OutputShape([3]));
        Assert.Equal("BatchNorm1d(3, eps=1e-05, momentum=0.1)", bn.Describe());
        Assert.Throws<FcnLabException>(() => bn.OutputShape([4]));
        Assert.Throws<FcnLabException>(() => bn.Forward(Tensor.Zeros(2, 4), true));
        Assert.Throws<FcnLabException>(() => new BatchNorm1d(3, momentum: 2));
    }

    [Fact]
    public void LargeOffsets_DoNotLoseTheVariance()
    {
        // A naive E[x^2] - E[x]^2 in float32 would cancel to garbage here.
        var bn = new BatchNorm1d(1);
        Bind(bn);
        bn.ResetParameters();
        var y = bn.Forward(Tensor.From([10000.5f, 10001.5f], 2, 1), training: true);
        AssertClose([-1f, 1f], y.Span, atol: 1e-4, what: "y");
        // running_var = 0.9 * 1 + 0.1 * unbiased variance 0.5
        AssertClose([0.95f], bn.RunningVar.Span, what: "running_var");
    }

    [Theory]
    [InlineData(37, 333)]
    [InlineData(37, 1029)]
    public void ThreadCount_DoesNotChangeAnyBit(int batch, int features)
    {
        // Several feature chunks plus a ragged last one with a scalar tail.
        using var one = new WorkerPool(1);
        using var three = new WorkerPool(3);
        var reference = TrainEvalRun(null, batch, features);
        foreach (var pool in new[] { one, three })
        {
            var run = TrainEvalRun(pool, batch, features);
            for (int k = 0; k < reference.Length; k++)
                Assert.True(reference[k].AsSpan().SequenceEqual(run[k]), $"output {k} differs with {pool.Threads} thread(s)");
        }
    }

    [Fact]
    public void ForwardAndBackward_AllocateNothingAfterWarmUp_OnAPool()
    {
        using var pool = new WorkerPool(2);
        var (bn, x) = Random(16, 700, seed: 24, pool);
        var dy = Tensor.Zeros(16, 700);
        FillUniform(dy.Span, new Rng(25));
        var xEval = Tensor.Zeros(3, 700);
        var dyEval = Tensor.Zeros(3, 700);
        void Step()
        {
            bn.Forward(x, training: true);
            bn.Backward(dy);
            bn.Forward(xEval, training: false);
            bn.Backward(dyEval);
        }
        Step();
        Step();
        Assert.Equal(0, Allocations.Measure(() => { for (int i = 0; i < 3; i++) Step(); }));
    }

    /// <summary>Two training steps (forward, backward), then an eval forward and backward: every output, bit for bit.</summary>
    private static float[][] TrainEvalRun(WorkerPool? pool, int batch, int features)
    {
        var (bn, x) = Random(batch, features, seed: 23, pool);
        var rng = new Rng(99);
        var dy = Tensor.Zeros(batch, features);
        var results = new List<float[]>();
        for (int step = 0; step < 2; step++)
        {
            FillUniform(dy.Span, rng);
            results.Add(bn.Forward(x, training: true).ToArray());
            results.Add(bn.Backward(dy)!.ToArray());
            for (int i = 0; i < x.Length; i++) x[i] += 0.25f * x[i] * x[i];
        }
        results.Add(bn.Forward(x, training: false).ToArray());
        results.Add(bn.Backward(dy)!.ToArray());
        results.Add(bn.Weight.Grad.ToArray());
        results.Add(bn.Bias.Grad.ToArray());
        results.Add(bn.RunningMean.ToArray());
        results.Add(bn.RunningVar.ToArray());
        bn.NeedsInputGradient = false;
        bn.Forward(x, training: true);
        Assert.Null(bn.Backward(dy));
        results.Add(bn.Weight.Grad.ToArray());
        results.Add(bn.Bias.Grad.ToArray());
        return [.. results];
    }

    private static (BatchNorm1d, Tensor) Random(int batch, int features, int seed, WorkerPool? pool = null)
    {
        var rng = new Rng((ulong)seed);
        var bn = new BatchNorm1d(features, pool: pool);
        Bind(bn);
        bn.ResetParameters();
        FillUniform(bn.Weight.Value.Span, rng);
        FillUniform(bn.Bias.Value.Span, rng);
        var x = Tensor.Zeros(batch, features);
        FillUniform(x.Span, rng, 2f);
        return (bn, x);
    }
}
