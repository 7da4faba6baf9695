using FcnLab.Engine.Layers;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using static FcnLab.Engine.Tests.Layers.LayerTestKit;

namespace FcnLab.Engine.Tests.Layers;

public sealed class PoolingTests : IDisposable
{
    private readonly WorkerPool _pool = new(2);

    public void Dispose() => _pool.Dispose();

    [Theory]
    [InlineData("maxpool2d_2", true)]
    [InlineData("maxpool2d_3_s2_p1", true)]
    [InlineData("avgpool2d_3_s2_p1", false)]
    [InlineData("avgpool2d_2", false)]
    public void MatchesPyTorch_ForwardAndBackward(string name, bool max)
    {
        var c = CnnCase(name);
        int k = c.GetProperty("kernel").GetInt32(), stride = c.GetProperty("stride").GetInt32(), pad = c.GetProperty("padding").GetInt32();
        Pool2d pool = max ? new MaxPool2d(k, stride, pad, _pool) : new AvgPool2d(k, stride, pad, _pool);
        int[] xShape = c.Ints("x_shape");
        var y = pool.Forward(Tensor.From(c.Floats("x"), xShape), training: true);
        Assert.Equal(c.Ints("y_shape"), y.Shape);
        Assert.Equal(c.Ints("y_shape")[1..], pool.OutputShape(xShape[1..]));
        AssertClose(c.Floats("y"), y.Span, what: "y");
        var dx = pool.Backward(Tensor.From(c.Floats("grad_y"), y.Shape));
        AssertClose(c.Floats("grad_x"), dx!.Span, what: "grad_x");
    }

    [Theory]
    [InlineData(2, 3, 7, 7, 2, 2, 0)]
    [InlineData(1, 2, 6, 5, 3, 2, 1)]
    [InlineData(3, 1, 5, 5, 3, 1, 1)]
    [InlineData(1, 1, 9, 8, 2, 3, 0)]
    public void GradientsMatchFiniteDifferences(int batch, int channels, int h, int w, int k, int stride, int pad)
    {
        // Distinct values 0.1 apart: a step of 0.01 never changes which input is a window's maximum.
        var rng = new Rng(41);
        var order = Enumerable.Range(0, batch * channels * h * w).ToArray();
        rng.Shuffle(order);
        var x = Tensor.From(order.Select(v => 0.1f * v - 3f).ToArray(), batch, channels, h, w);
        GradCheck(new MaxPool2d(k, stride, pad, _pool), x, eps: 0.01f, atol: 1e-3, rtol: 1e-3);
        GradCheck(new AvgPool2d(k, stride, pad, _pool), x, eps: 0.25f, atol: 1e-4, rtol: 1e-4);
    }

    [Fact]
    public void MaxPool_TakesTheFirstOfEqualMaxima_AndPassesNaN()
    {
        var pool = new MaxPool2d(2);
        var y = pool.Forward(Tensor.From([1f, 1f, 0f, 1f, /* second window */ 2f, float.NaN, 5f, 3f], 1, 2, 2, 2), training: true);
        Assert.Equal(1f, y[0]);
        Assert.True(float.IsNaN(y[1]));
        var dx = pool.Backward(Tensor.From([10f, 20f], 1, 2, 1, 1));
        Assert.Equal([10f, 0f, 0f, 0f, 0f, 20f, 0f, 0f], dx!.ToArray());
    }

    [Fact]
    public void ThreadCount_DoesNotChangeAnyBit_AndNothingIsAllocatedAfterWarmUp()
    {
        using var one = new WorkerPool(1);
        var rng = new Rng(3);
        var x = Tensor.Zeros(33, 5, 11, 9);
        FillUniform(x.Span, rng);
        var dy = Tensor.Zeros(33, 5, 5, 4);
        FillUniform(dy.Span, rng);
        foreach (Func<WorkerPool?, Pool2d> make in new Func<WorkerPool?, Pool2d>[] { p => new MaxPool2d(3, 2, 0, p), p => new AvgPool2d(3, 2, 0, p) })
        {
            float[] Run(Pool2d layer) => [.. layer.Forward(x, true).ToArray(), .. layer.Backward(dy)!.ToArray()];
            var reference = Run(make(null));
            Assert.Equal(reference, Run(make(one)));
            var pooled = make(_pool);
            Assert.Equal(reference, Run(pooled));
            Run(pooled);
            Assert.Equal(0, Allocations.Measure(() => { pooled.Forward(x, true); pooled.Backward(dy); }));
        }
    }

    [Fact]
    public void DescribesItselfLikePyTorch_AndRejectsBadShapes()
    {
        Assert.Equal("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)", new MaxPool2d(2).Describe());
        Assert.Equal("AvgPool2d(kernel_size=3, stride=1, padding=1)", new AvgPool2d(3, 1, 1).Describe());
        Assert.Equal([6, 14, 14], new MaxPool2d(2).OutputShape([6, 28, 28]));
        Assert.Equal([6, 3, 3], new MaxPool2d(2).OutputShape([6, 7, 7]));
        Assert.Contains("before flatten", Assert.Throws<FcnLabException>(() => new MaxPool2d(2).OutputShape([120])).Message);
        Assert.Throws<FcnLabException>(() => new MaxPool2d(2).OutputShape([3, 1, 5]));
        Assert.Throws<FcnLabException>(() => new MaxPool2d(2, padding: 2));
        Assert.Throws<FcnLabException>(() => new AvgPool2d(0));
        Assert.Empty(new MaxPool2d(2).Parameters);
    }
}
