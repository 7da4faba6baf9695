using FcnLab.Engine.Layers;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using static FcnLab.Engine.Tests.Layers.LayerTestKit;

namespace FcnLab.Engine.Tests.Layers;

public sealed class LinearTests : IDisposable
{
    private readonly WorkerPool _pool = new(1);

    public void Dispose() => _pool.Dispose();

    [Fact]
    public void MatchesPyTorch_ForwardAndBackward()
    {
        var c = Case("linear");
        int[] xShape = c.Ints("x_shape"), wShape = c.Ints("weight_shape");
        int batch = xShape[0], inF = xShape[1], outF = wShape[0];
        var layer = new Linear(inF, outF, NewGemm(_pool));
        Bind(layer);
        TransposeWeight(c.Floats("weight"), outF, inF).CopyTo(layer.Weight.Value.Span);
        c.Floats("bias").CopyTo(layer.Bias.Value.Span);
        var x = Tensor.From(c.Floats("x"), batch, inF);

        var y = layer.Forward(x, training: true);
        Assert.Equal([batch, outF], y.Shape);
        AssertClose(c.Floats("y"), y.Span, what: "y");

        var dx = layer.Backward(Tensor.From(c.Floats("grad_y"), batch, outF));
        Assert.NotNull(dx);
        AssertClose(c.Floats("grad_x"), dx!.Span, what: "grad_x");
        AssertClose(TransposeWeight(c.Floats("grad_weight"), outF, inF), layer.Weight.Grad.Span, what: "grad_weight");
        AssertClose(c.Floats("grad_bias"), layer.Bias.Grad.Span, what: "grad_bias");
    }

    [Theory]
    [InlineData(3, 5, 7)]
    [InlineData(1, 7, 5)]
    [InlineData(4, 33, 3)]
    public void GradientsMatchFiniteDifferences(int batch, int inF, int outF)
    {
        var rng = new Rng(11);
        var layer = new Linear(inF, outF, NewGemm(_pool));
        Bind(layer);
        FillUniform(layer.Weight.Value.Span, rng);
        FillUniform(layer.Bias.Value.Span, rng);
        var x = Tensor.Zeros(batch, inF);
        FillUniform(x.Span, rng);
        // Linear is exactly linear in each entry: a big step has no truncation error and little rounding.
        GradCheck(layer, x, eps: 0.25f, atol: 1e-4, rtol: 1e-4);
    }

    /// <summary>A wide layer's bias gradient is summed in column chunks over the pool: the same bits as on one thread, and the column sums of dY.</summary>
    [Fact]
    public void WideBiasGradient_OnAPool_IsTheSerialColumnSums()
    {
        const int batch = 7, inF = 3, outF = 1100;
        var rng = new Rng(13);
        var dy = Tensor.Zeros(batch, outF);
        FillUniform(dy.Span, rng);
        var x = Tensor.Zeros(batch, inF);
        FillUniform(x.Span, rng);
        float[] BiasGrad(WorkerPool pool)
        {
            var layer = new Linear(inF, outF, NewGemm(pool));
            Bind(layer);
            layer.Bias.Grad.Span.Fill(0.5f); // accumulates onto what is there
            layer.Forward(x, training: true);
            layer.Backward(dy);
            return layer.Bias.Grad.ToArray();
        }
        using var three = new WorkerPool(3);
        var serial = BiasGrad(_pool);
        Assert.Equal(serial, BiasGrad(three));
        var expected = new float[outF];
        for (int j = 0; j < outF; j++)
        {
            float sum = 0.5f;
            for (int i = 0; i < batch; i++) sum += dy[i * outF + j];
            expected[j] = sum;
        }
        AssertClose(expected, serial, what: "bias grad");
    }

    [Fact]
    public void WithoutInputGradient_ReturnsNullButAccumulatesParameterGradients()
    {
        var rng = new Rng(3);
        var layer = new Linear(5, 7, NewGemm(_pool));
        Bind(layer);
        FillUniform(layer.Weight.Value.Span, rng);
        var x = Tensor.Zeros(3, 5);
        FillUniform(x.Span, rng);
        var dy = Tensor.Zeros(3, 7);
        FillUniform(dy.Span, rng);

        layer.Forward(x, true);
        Assert.NotNull(layer.Backward(dy));
        var dw = layer.Weight.Grad.ToArray();
        var db = layer.Bias.Grad.ToArray();
        Assert.Contains(dw, v => v != 0);
        Assert.Contains(db, v => v != 0);

        layer.NeedsInputGradient = false;
        layer.Forward(x, true);
        Assert.Null(layer.Backward(dy));
        // Accumulated: the second backward doubled every gradient.
        AssertClose(dw.Select(v => 2 * v).ToArray(), layer.Weight.Grad.Span, what: "dW");
        AssertClose(db.Select(v => 2 * v).ToArray(), layer.Bias.Grad.Span, what: "db");
    }

    [Fact]
    public void ReadsAnyPerSampleShapeFlattened_AndRejectsAMismatch()
    {
        var layer = new Linear(12, 2, NewGemm(_pool));
        Assert.Equal([2], layer.OutputShape([3, 4]));
        var e = Assert.Throws<FcnLabException>(() => layer.OutputShape([5]));
        Assert.Contains("12", e.Message);
        Bind(layer);
        Assert.Equal([2, 2], layer.Forward(Tensor.Zeros(2, 3, 4), false).Shape);
        Assert.Throws<FcnLabException>(() => layer.Forward(Tensor.Zeros(2, 5), false));
        Assert.Equal("Linear(12, 2)", layer.Describe());
        Assert.Equal([12, 2], layer.Weight.Shape);
        Assert.Equal(ParameterKind.Weight, layer.Weight.Kind);
        Assert.Equal(ParameterKind.Bias, layer.Bias.Kind);
    }
}
