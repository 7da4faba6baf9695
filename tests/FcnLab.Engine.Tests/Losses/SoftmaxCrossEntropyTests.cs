using FcnLab.Engine.Losses;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using static FcnLab.Engine.Tests.Layers.LayerTestKit;

namespace FcnLab.Engine.Tests.Losses;

public class SoftmaxCrossEntropyTests
{
    [Fact]
    public void MatchesPyTorch()
    {
        var c = Case("softmax_cross_entropy");
        int[] shape = c.Ints("logits_shape");
        var loss = new SoftmaxCrossEntropy();
        double value = loss.Forward(Tensor.From(c.Floats("logits"), shape), c.Ints("labels"));
        Assert.Equal(c.GetProperty("loss").GetDouble(), value, 5);
        var grad = loss.Backward();
        Assert.Equal(shape, grad.Shape);
        AssertClose(c.Floats("grad_logits"), grad.Span, what: "grad_logits");
    }

    [Theory]
    [InlineData(3, 5, 0.0)]
    [InlineData(1, 7, 0.0)]
    [InlineData(4, 2, 0.0)]
    [InlineData(3, 5, 0.1)]
    [InlineData(1, 7, 0.3)]
    [InlineData(4, 2, 0.9)]
    [InlineData(2, 4, 1.0)]
    public void GradientMatchesFiniteDifferences(int batch, int classes, double labelSmoothing)
    {
        var rng = new Rng(13);
        var logits = Tensor.Zeros(batch, classes);
        FillUniform(logits.Span, rng, 3f);
        var labels = Enumerable.Range(0, batch).Select(i => rng.NextInt(classes)).ToArray();
        var loss = new SoftmaxCrossEntropy(labelSmoothing);
        loss.Forward(logits, labels);
        var analytic = loss.Backward().ToArray();
        const float eps = 1e-2f;
        for (int i = 0; i < logits.Length; i++)
        {
            float saved = logits[i];
            logits[i] = saved + eps;
            double plus = loss.Forward(logits, labels);
            logits[i] = saved - eps;
            double minus = loss.Forward(logits, labels);
            logits[i] = saved;
            double numeric = (plus - minus) / (2 * eps);
            Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-4 + 1e-3 * Math.Abs(numeric), $"dLogits[{i}]: finite difference {numeric}, backward {analytic[i]}");
        }
    }

    [Fact]
    public void LargeLogitsAreStable()
    {
        var loss = new SoftmaxCrossEntropy();
        double value = loss.Forward(Tensor.From([1000f, 0f, -1000f, 500f, 501f, 502f], 2, 3), [0, 0]);
        // Row 0: log(1 + e^-1000 + ...) ~ 0. Row 1: 502 + log(1 + e^-1 + e^-2) - 500.
        double row1 = 2 + Math.Log(1 + Math.Exp(-1) + Math.Exp(-2));
        Assert.Equal(row1 / 2, value, 5);
        Assert.All(loss.Backward().ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void ReportsPredictionsAndCorrectCount()
    {
        var loss = new SoftmaxCrossEntropy();
        var logits = Tensor.From([0f, 2f, 1f, 5f, 1f, 1f, 1f, 1f, 3f], 3, 3);
        loss.Forward(logits, [1, 1, 2]);
        Assert.Equal([1, 0, 2], loss.Predictions.ToArray());
        Assert.Equal(2, loss.Correct);
        var predictions = new int[3];
        SoftmaxCrossEntropy.ArgMax(logits, predictions);
        Assert.Equal([1, 0, 2], predictions);
        // Smaller batch next: predictions follow it.
        loss.Forward(Tensor.From([1f, 1f], 1, 2), [1]);
        Assert.Equal([0], loss.Predictions.ToArray());
        Assert.Equal(0, loss.Correct);
    }

    [Fact]
    public void NonFiniteLogitsGiveANonFiniteLoss_NotAnException()
    {
        var loss = new SoftmaxCrossEntropy();
        Assert.True(double.IsNaN(loss.Forward(Tensor.From([float.NaN, 0f, 0f, 1f], 2, 2), [0, 1])));
        Assert.False(double.IsFinite(loss.Forward(Tensor.From([float.PositiveInfinity, 0f, 0f, 1f], 2, 2), [0, 1])));
        Assert.False(double.IsFinite(loss.Forward(Tensor.From([float.NegativeInfinity, 0f, 0f, 1f], 2, 2), [0, 1])));
        loss.Backward();
    }

    [Fact]
    public void BadLabelsAreClearErrors()
    {
        var loss = new SoftmaxCrossEntropy();
        var logits = Tensor.Zeros(2, 3);
        var e = Assert.Throws<FcnLabException>(() => loss.Forward(logits, [0, 3]));
        Assert.Contains("Label 3", e.Message);
        Assert.Throws<FcnLabException>(() => loss.Forward(logits, [-1, 0]));
        Assert.Throws<FcnLabException>(() => loss.Forward(logits, [0]));
    }
}
