using FcnLab.Engine.Layers;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using static FcnLab.Engine.Tests.Layers.LayerTestKit;

namespace FcnLab.Engine.Tests.Layers;

public sealed class GlobalAvgPool2dTests : IDisposable
{
    private readonly WorkerPool _pool = new(2);

    public void Dispose() => _pool.Dispose();

    [Fact]
    public void MatchesPyTorch_AdaptiveAvgPool2d1ThenFlatten()
    {
        var c = CnnCase("gap");
        var gap = new GlobalAvgPool2d(_pool);
        int[] xShape = c.Ints("x_shape");
        var y = gap.Forward(Tensor.From(c.Floats("x"), xShape), training: true);
        Assert.Equal(c.Ints("y_shape"), y.Shape);
        Assert.Equal(c.Ints("y_shape")[1..], gap.OutputShape(xShape[1..]));
        AssertClose(c.Floats("y"), y.Span, what: "y");
        var dx = gap.Backward(Tensor.From(c.Floats("grad_y"), y.Shape));
        AssertClose(c.Floats("grad_x"), dx!.Span, what: "grad_x");
    }

    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(3, 5, 7, 3)]
    [InlineData(2, 17, 4, 9)]
    public void GradientsMatchFiniteDifferences(int batch, int channels, int h, int w)
    {
        var x = Tensor.Zeros(batch, channels, h, w);
        FillUniform(x.Span, new Rng(5));
        GradCheck(new GlobalAvgPool2d(_pool), x, atol: 1e-4, rtol: 1e-3);
    }

    [Fact]
    public void SameBitsOnAnyThreadCount()
    {
        var x = Tensor.Zeros(9, 6, 5, 5);
        FillUniform(x.Span, new Rng(8));
        var one = new GlobalAvgPool2d().Forward(x, training: true).ToArray();
        Assert.Equal(one, new GlobalAvgPool2d(_pool).Forward(x, training: true).ToArray());
    }

    [Fact]
    public void RefusesFlatInputs_SayingWhereItGoes()
    {
        var e = Assert.Throws<FcnLabException>(() => new GlobalAvgPool2d().OutputShape([10]));
        Assert.Contains("in place of flatten", e.Message);
        Assert.Throws<FcnLabException>(() => new GlobalAvgPool2d().Forward(Tensor.Zeros(2, 10), training: false));
    }
}
