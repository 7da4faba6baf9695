using FcnLab.Engine.Layers;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using static FcnLab.Engine.Tests.Layers.LayerTestKit;

namespace FcnLab.Engine.Tests.Layers;

public class FlattenTests
{
    [Fact]
    public void ViewsTheSameMemory_BothWays_WithoutAllocatingAfterWarmUp()
    {
        var flatten = new Flatten();
        Assert.Equal([60], flatten.OutputShape([3, 4, 5]));
        Assert.Equal("Flatten(start_dim=1, end_dim=-1)", flatten.Describe());
        var x = Tensor.From(Enumerable.Range(0, 120).Select(i => (float)i).ToArray(), 2, 3, 4, 5);
        var y = flatten.Forward(x, true);
        Assert.Equal([2, 60], y.Shape);
        Assert.Equal(x.ToArray(), y.ToArray());
        var dy = Tensor.From(Enumerable.Range(0, 120).Select(i => -(float)i).ToArray(), 2, 60);
        var dx = flatten.Backward(dy)!;
        Assert.Equal([2, 3, 4, 5], dx.Shape);
        Assert.Equal(dy.ToArray(), dx.ToArray());

        Assert.Same(y, flatten.Forward(x, true));
        Assert.Same(dx, flatten.Backward(dy));
        Assert.Equal(0, Allocations.Measure(() => { flatten.Forward(x, true); flatten.Backward(dy); }));

        Assert.Throws<FcnLabException>(() => flatten.Backward(Tensor.Zeros(2, 59)));
        flatten.NeedsInputGradient = false;
        Assert.Null(flatten.Backward(dy));
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        var x = Tensor.Zeros(2, 3, 2, 5);
        FillUniform(x.Span, new Rng(4));
        GradCheck(new Flatten(), x, eps: 0.25f, atol: 1e-5, rtol: 1e-5);
    }
}
