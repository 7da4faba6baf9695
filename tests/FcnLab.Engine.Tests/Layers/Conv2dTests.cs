using FcnLab.Engine.Layers;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using static FcnLab.Engine.Tests.Layers.LayerTestKit;

namespace FcnLab.Engine.Tests.Layers;

public sealed class Conv2dTests : IDisposable
{
    private readonly WorkerPool _pool = new(3);

    public void Dispose() => _pool.Dispose();

    [Theory]
    [InlineData("conv2d_stride2_pad1")]
    [InlineData("conv2d_lenet_first")]
    [InlineData("conv2d_k2_no_bias")]
    public void MatchesPyTorch_ForwardAndBackward(string name)
    {
        var c = CnnCase(name);
        int[] xShape = c.Ints("x_shape"), wShape = c.Ints("weight_shape");
        bool bias = c.TryGetProperty("bias", out _);
        var conv = new Conv2d(wShape[1], wShape[0], wShape[2], c.GetProperty("stride").GetInt32(), c.GetProperty("padding").GetInt32(), bias, _pool);
        Bind(conv);
        c.Floats("weight").CopyTo(conv.Weight.Value.Span);
        if (bias) c.Floats("bias").CopyTo(conv.Bias!.Value.Span);

        var y = conv.Forward(Tensor.From(c.Floats("x"), xShape), training: true);
        Assert.Equal(c.Ints("y_shape"), y.Shape);
        Assert.Equal(c.Ints("y_shape")[1..], conv.OutputShape(xShape[1..]));
        AssertClose(c.Floats("y"), y.Span, what: "y");
        var dx = conv.Backward(Tensor.From(c.Floats("grad_y"), y.Shape));
        AssertClose(c.Floats("grad_x"), dx!.Span, what: "grad_x");
        AssertClose(c.Floats("grad_weight"), conv.Weight.Grad.Span, what: "grad_weight");
        if (bias) AssertClose(c.Floats("grad_bias"), conv.Bias!.Grad.Span, what: "grad_bias");
    }

    /// <summary>Odd sizes, stride 2, padding, 1 and 3 channels, batch 1, a 1x1 kernel, channels not a multiple of 16, and more samples than gradient chunks.</summary>
    public static TheoryData<int, int, int, int, int, int, int, int, bool> Shapes => new()
    {
        // batch, in, out, h, w, k, stride, pad, bias
        { 1, 1, 1, 5, 5, 3, 1, 0, true },
        { 1, 3, 2, 7, 7, 3, 2, 1, true },
        { 2, 3, 4, 7, 6, 3, 2, 1, false },
        { 3, 1, 6, 28, 28, 5, 1, 2, true },
        { 2, 6, 16, 14, 14, 5, 1, 0, true },
        { 37, 2, 3, 9, 11, 3, 1, 1, true },
        { 2, 5, 7, 6, 5, 1, 1, 0, true },
        { 2, 3, 5, 9, 8, 1, 2, 0, true },
        { 1, 3, 33, 13, 11, 4, 3, 2, true },
        { 2, 1, 3, 4, 3, 3, 1, 2, true },
        // Channels that fill neither a 12-row tile nor a 32-column panel, same-size padding (the contiguous
        // im2col path), odd sizes, and tiny images several samples share a forward product on (a ragged last group).
        { 3, 17, 40, 9, 7, 3, 1, 1, true },
        { 1, 5, 33, 6, 6, 3, 1, 1, false },
        { 5, 3, 20, 3, 3, 3, 1, 1, true },
        { 3, 19, 65, 7, 7, 3, 2, 1, true },
        { 2, 18, 34, 5, 5, 1, 1, 0, true },
        // 32 and 64 channels: whole panels, the transposed products (y^T, dW^T), also for a 1x1 kernel.
        { 2, 5, 32, 9, 9, 3, 1, 1, true },
        { 3, 2, 64, 6, 6, 3, 2, 1, false },
        { 2, 7, 64, 5, 6, 1, 1, 0, true },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BothOrientations_GiveTheSameBits(int batch, int inC, int outC, int h, int w, int k, int stride, int pad, bool bias)
    {
        var direct = Run(true);
        var transposed = Run(false);
        string[] names = ["y", "dx", "dW", "db"];
        for (int i = 0; i < direct.Length; i++)
            Assert.True(direct[i].AsSpan().SequenceEqual(transposed[i]), $"{names[i]} differs between y = W cols and y^T = cols^T W^T");

        float[][] Run(bool orientation)
        {
            var rng = new Rng(11);
            var conv = new Conv2d(inC, outC, k, stride, pad, bias, _pool) { Orientation = orientation };
            Bind(conv);
            FillUniform(conv.Weight.Value.Span, rng);
            if (bias) FillUniform(conv.Bias!.Value.Span, rng);
            var x = Tensor.Zeros(batch, inC, h, w);
            FillUniform(x.Span, rng);
            int oh = Conv2dReference.OutputSize(h, k, stride, pad), ow = Conv2dReference.OutputSize(w, k, stride, pad);
            var dy = Tensor.Zeros(batch, outC, oh, ow);
            FillUniform(dy.Span, rng);
            var y = conv.Forward(x, true).ToArray();
            var dx = conv.Backward(dy)!.ToArray();
            return [y, dx, conv.Weight.Grad.ToArray(), bias ? conv.Bias!.Grad.ToArray() : []];
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatchesTheReferenceConvolution(int batch, int inC, int outC, int h, int w, int k, int stride, int pad, bool bias)
    {
        var rng = new Rng((ulong)(batch * 1000 + inC * 100 + outC * 10 + k));
        var conv = new Conv2d(inC, outC, k, stride, pad, bias, _pool);
        Bind(conv);
        FillUniform(conv.Weight.Value.Span, rng);
        if (bias) FillUniform(conv.Bias!.Value.Span, rng);
        var x = Tensor.Zeros(batch, inC, h, w);
        FillUniform(x.Span, rng);
        var weight = conv.Weight.Value.ToArray();
        float[]? b = bias ? conv.Bias!.Value.ToArray() : null;

        var y = conv.Forward(x, training: true);
        int oh = Conv2dReference.OutputSize(h, k, stride, pad), ow = Conv2dReference.OutputSize(w, k, stride, pad);
        Assert.Equal([batch, outC, oh, ow], y.Shape);
        AssertClose(Conv2dReference.Forward(x.ToArray(), batch, inC, h, w, weight, b, outC, k, stride, pad), y.Span, what: "y");

        var dy = Tensor.Zeros(y.Shape);
        FillUniform(dy.Span, rng);
        var dx = conv.Backward(dy);
        var (refDx, refDw, refDb) = Conv2dReference.Backward(x.ToArray(), batch, inC, h, w, weight, outC, k, stride, pad, dy.ToArray());
        AssertClose(refDx, dx!.Span, what: "dx");
        AssertClose(refDw, conv.Weight.Grad.Span, atol: 1e-4, what: "dW");
        if (bias) AssertClose(refDb, conv.Bias!.Grad.Span, atol: 1e-4, what: "db");
    }

    [Theory]
    [InlineData(2, 2, 3, 5, 6, 3, 1, 1)]
    [InlineData(1, 3, 2, 7, 5, 3, 2, 1)]
    [InlineData(3, 1, 2, 6, 6, 2, 2, 0)]
    [InlineData(2, 2, 2, 4, 4, 1, 1, 0)]
    public void GradientsMatchFiniteDifferences(int batch, int inC, int outC, int h, int w, int k, int stride, int pad)
    {
        var rng = new Rng(31);
        var conv = new Conv2d(inC, outC, k, stride, pad, pool: _pool);
        Bind(conv);
        FillUniform(conv.Weight.Value.Span, rng);
        FillUniform(conv.Bias!.Value.Span, rng);
        var x = Tensor.Zeros(batch, inC, h, w);
        FillUniform(x.Span, rng);
        // Linear in every entry: a big step has no truncation error and little rounding.
        GradCheck(conv, x, eps: 0.25f, atol: 1e-4, rtol: 1e-4);
    }

    [Theory]
    // 37 samples: more than the 16 gradient chunks, and a ragged split; two samples to a forward product.
    [InlineData(37, 3, 8, 13, 12, 3, 1, 1)]
    // More than one 32-column panel of channels, in*k*k over one 512-step block, stride 2 (not same-size).
    [InlineData(19, 40, 70, 9, 9, 5, 2, 2)]
    // 64 channels: the transposed products, several samples to a forward product.
    [InlineData(21, 8, 64, 10, 10, 3, 1, 1)]
    public void ThreadCount_DoesNotChangeAnyBit(int batch, int inC, int outC, int h, int w, int k, int stride, int pad)
    {
        using var one = new WorkerPool(1);
        using var two = new WorkerPool(2);
        var reference = Run(null);
        foreach (var pool in new[] { one, two, _pool })
        {
            var run = Run(pool);
            for (int i = 0; i < reference.Length; i++)
                Assert.True(reference[i].AsSpan().SequenceEqual(run[i]), $"output {i} differs with {pool.Threads} thread(s)");
        }

        float[][] Run(WorkerPool? pool)
        {
            var rng = new Rng(5);
            var conv = new Conv2d(inC, outC, k, stride, pad, pool: pool);
            Bind(conv);
            FillUniform(conv.Weight.Value.Span, rng);
            FillUniform(conv.Bias!.Value.Span, rng);
            var x = Tensor.Zeros(batch, inC, h, w);
            FillUniform(x.Span, rng);
            int oh = Conv2dReference.OutputSize(h, k, stride, pad), ow = Conv2dReference.OutputSize(w, k, stride, pad);
            var dy = Tensor.Zeros(batch, outC, oh, ow);
            FillUniform(dy.Span, rng);
            var y = conv.Forward(x, true).ToArray();
            var dx = conv.Backward(dy)!.ToArray();
            return [y, dx, conv.Weight.Grad.ToArray(), conv.Bias.Grad.ToArray()];
        }
    }

    [Fact]
    public void WithoutInputGradient_ReturnsNullButAccumulatesParameterGradients()
    {
        var rng = new Rng(8);
        var conv = new Conv2d(2, 3, 3, 1, 1, pool: _pool);
        Bind(conv);
        FillUniform(conv.Weight.Value.Span, rng);
        var x = Tensor.Zeros(4, 2, 5, 5);
        FillUniform(x.Span, rng);
        var dy = Tensor.Zeros(4, 3, 5, 5);
        FillUniform(dy.Span, rng);
        conv.Forward(x, true);
        Assert.NotNull(conv.Backward(dy));
        var dw = conv.Weight.Grad.ToArray();
        conv.NeedsInputGradient = false;
        conv.Forward(x, true);
        Assert.Null(conv.Backward(dy));
        AssertClose(dw.Select(v => 2 * v).ToArray(), conv.Weight.Grad.Span, what: "dW");
    }

    [Fact]
    public void ForwardAndBackward_AllocateNothingAfterWarmUp_OnAPool()
    {
        var conv = new Conv2d(3, 5, 3, 2, 1, pool: _pool);
        Bind(conv);
        FillUniform(conv.Weight.Value.Span, new Rng(1));
        var x = Tensor.Zeros(20, 3, 9, 9);
        FillUniform(x.Span, new Rng(2));
        var dy = Tensor.Zeros(20, 5, 5, 5);
        var xEval = Tensor.Zeros(3, 3, 9, 9);
        void Step()
        {
            conv.Forward(x, true);
            conv.Backward(dy);
            conv.Forward(xEval, false);
        }
        Step();
        Step();
        Assert.Equal(0, Allocations.Measure(() => { for (int i = 0; i < 3; i++) Step(); }));
    }

    [Fact]
    public void DescribesItselfLikePyTorch_AndRejectsBadShapes()
    {
        Assert.Equal("Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))", new Conv2d(1, 6, 5, padding: 2).Describe());
        Assert.Equal("Conv2d(6, 16, kernel_size=(5, 5), stride=(2, 2), bias=False)", new Conv2d(6, 16, 5, 2, bias: false).Describe());
        var conv = new Conv2d(3, 4, 3);
        Assert.Equal([4, 5, 6], conv.OutputShape([3, 7, 8]));
        Assert.Contains("[3, height, width]", Assert.Throws<FcnLabException>(() => conv.OutputShape([1, 7, 8])).Message);
        Assert.Contains("smaller than the 3x3 kernel", Assert.Throws<FcnLabException>(() => conv.OutputShape([3, 2, 8])).Message);
        Bind(conv);
        Assert.Throws<FcnLabException>(() => conv.Forward(Tensor.Zeros(2, 3 * 7 * 8), true));
        Assert.Throws<FcnLabException>(() => new Conv2d(0, 4, 3));
        Assert.Throws<FcnLabException>(() => new Conv2d(1, 4, 3, padding: 3));
        Assert.Equal([4, 3, 3, 3], conv.Weight.Shape);
        Assert.Equal(ParameterKind.Weight, conv.Weight.Kind);
        Assert.Equal(ParameterKind.Bias, conv.Bias!.Kind);
        Assert.Single(new Conv2d(3, 4, 3, bias: false).Parameters);
    }
}
