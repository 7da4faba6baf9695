using FcnLab.Engine.Layers;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using static FcnLab.Engine.Tests.Layers.LayerTestKit;

namespace FcnLab.Engine.Tests.Layers;

public sealed class ResidualTests : IDisposable
{
    private readonly WorkerPool _pool = new(2);

    public void Dispose() => _pool.Dispose();

    /// <summary>torchvision's BasicBlock without its last ReLU: conv3x3(stride) bn relu conv3x3 bn, with the 1x1 projection when the shape changes.</summary>
    /// <param name="smooth">Tanh in place of the ReLU: no kinks for finite differences to step over.</param>
    private static Residual Block(int cin, int cout, int stride, WorkerPool? pool, bool smooth = false)
    {
        Layer[] body =
        [
            new Conv2d(cin, cout, 3, stride, 1, bias: false, pool), new BatchNorm2d(cout, pool: pool), smooth ? new Tanh(pool) : new ReLU(pool),
            new Conv2d(cout, cout, 3, 1, 1, bias: false, pool), new BatchNorm2d(cout, pool: pool),
        ];
        return new Residual(body, stride != 1 || cin != cout ? (new Conv2d(cin, cout, 1, stride, 0, bias: false, pool), new BatchNorm2d(cout, pool: pool)) : null, pool);
    }

    [Theory]
    [InlineData("residual_projection")]
    [InlineData("residual_identity")]
    public void MatchesPyTorch_OutputGradientsAndRunningStatistics(string name)
    {
        var c = CnnCase(name);
        int[] xShape = c.Ints("x_shape");
        var block = Block(xShape[1], c.GetProperty("out_channels").GetInt32(), c.GetProperty("stride").GetInt32(), _pool);
        Bind(block);
        var state = c.GetProperty("state");
        // FcnLab's names are the PyTorch module's: every parameter and buffer is in its state_dict.
        foreach (var (n, p) in block.NamedParameters) state.Floats(n).CopyTo(p.Value.Span);
        foreach (var (n, b) in block.Buffers) state.Floats(n).CopyTo(b.Span);
        Assert.Equal(state.EnumerateObject().Count(), block.NamedParameters.Count() + block.Buffers.Count);

        var y = block.Forward(Tensor.From(c.Floats("x"), xShape), training: true);
        Assert.Equal(c.Ints("y_shape"), y.Shape);
        Assert.Equal(c.Ints("y_shape")[1..], block.OutputShape(xShape[1..]));
        AssertClose(c.Floats("y"), y.Span, atol: 1e-4, rtol: 1e-4, what: "y");
        var dx = block.Backward(Tensor.From(c.Floats("grad_y"), y.Shape));
        AssertClose(c.Floats("grad_x"), dx!.Span, atol: 1e-4, rtol: 1e-4, what: "grad_x");
        var grads = c.GetProperty("grads");
        foreach (var (n, p) in block.NamedParameters) AssertClose(grads.Floats(n), p.Grad.Span, atol: 1e-4, rtol: 1e-4, what: n);
        var running = c.GetProperty("running");
        foreach (var (n, b) in block.Buffers) AssertClose(running.Floats(n), b.Span, what: n);
    }

    [Theory]
    [InlineData(3, 4, 2)] // projection: channels and stride
    [InlineData(2, 5, 1)] // projection: channels only
    [InlineData(3, 3, 1)] // identity
    public void EveryParameterOfBothBranches_MatchesFiniteDifferences(int cin, int cout, int stride)
    {
        var block = Block(cin, cout, stride, _pool, smooth: true);
        var parameters = Bind(block);
        FillUniform(parameters.Values.Span, new Rng(3), 0.5f);
        var x = Tensor.Zeros(3, cin, 5, 4);
        FillUniform(x.Span, new Rng(4));
        // Training mode: batch statistics in both branches' batch norms.
        GradCheck(block, x, training: true, eps: 1e-2f, atol: 2e-3, rtol: 1e-2);
        Assert.Equal(stride != 1 || cin != cout ? 9 : 6, block.Parameters.Count);
    }

    [Fact]
    public void ReluOnOutput_IsMaxOfTheSum_AndTheSameBitsOnAnyThreadCount()
    {
        var one = Block(3, 4, 2, null);
        var two = Block(3, 4, 2, _pool);
        var fused = new Residual(one.Body, ((Conv2d)one.Downsample[0], (BatchNorm2d)one.Downsample[1])) { ReluOnOutput = true };
        var p1 = Bind(one);
        var p2 = Bind(two);
        FillUniform(p1.Values.Span, new Rng(6));
        p1.Values.Span.CopyTo(p2.Values.Span);
        var x = Tensor.Zeros(5, 3, 9, 7);
        FillUniform(x.Span, new Rng(9));
        var y1 = one.Forward(x, training: true).ToArray();
        Assert.Equal(y1, two.Forward(x, training: true).ToArray());
        var g = Tensor.Zeros(5, 4, 5, 4);
        FillUniform(g.Span, new Rng(10));
        Assert.Equal(one.Backward(g)!.ToArray(), two.Backward(g)!.ToArray());
        Assert.Equal(p1.Grads.ToArray(), p2.Grads.ToArray());
        Assert.Equal(y1.Select(v => Math.Max(v, 0f)), fused.Forward(x, training: true).ToArray());
    }

    [Fact]
    public void NamesFollowTorchvision_AndTheProjectionMustBeA1x1ConvWithoutBias()
    {
        var block = Block(3, 4, 2, null);
        Assert.Equal(["body.0.weight", "body.1.weight", "body.1.bias", "body.3.weight", "body.4.weight", "body.4.bias", "downsample.0.weight", "downsample.1.weight", "downsample.1.bias"],
            block.NamedParameters.Select(p => p.Name));
        Assert.Equal(["body.1.running_mean", "body.1.running_var", "body.4.running_mean", "body.4.running_var", "downsample.1.running_mean", "downsample.1.running_var"],
            block.Buffers.Select(b => b.Name));
        Assert.Throws<FcnLabException>(() => new Residual([new ReLU()], (new Conv2d(3, 4, 3, 1, 1, bias: false), new BatchNorm2d(4))));
        Assert.Throws<FcnLabException>(() => new Residual([new ReLU()], (new Conv2d(3, 4, 1), new BatchNorm2d(4))));
        var e = Assert.Throws<FcnLabException>(() => new Residual([new Conv2d(3, 4, 1)]).OutputShape([3, 5, 5]));
        Assert.Contains("must match", e.Message);
    }
}
