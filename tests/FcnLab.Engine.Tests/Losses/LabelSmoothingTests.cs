using System.Text.Json;
using FcnLab.Engine.Losses;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using static FcnLab.Engine.Tests.Layers.LayerTestKit;

namespace FcnLab.Engine.Tests.Losses;

/// <summary>
/// SoftmaxCrossEntropy with label smoothing, held to PyTorch's CrossEntropyLoss(label_smoothing=eps)
/// (label-smoothing-vectors.json); its gradient against finite differences is in SoftmaxCrossEntropyTests.
/// </summary>
public class LabelSmoothingTests
{
    private static readonly Lazy<JsonElement> Cases = new(() => ReadCases("label-smoothing-vectors.json"));

    public static TheoryData<string> CaseNames() => [.. Cases.Value.EnumerateObject().Select(p => p.Name)];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void MatchesPyTorch(string name)
    {
        var c = Cases.Value.GetProperty(name);
        int batch = c.GetProperty("batch").GetInt32(), classes = c.GetProperty("classes").GetInt32();
        var loss = new SoftmaxCrossEntropy(c.GetProperty("label_smoothing").GetDouble());
        double value = loss.Forward(Tensor.From(c.Floats("logits"), batch, classes), c.Ints("labels"));
        double expected = c.GetProperty("loss").GetDouble();
        Assert.True(Math.Abs(value - expected) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"{name}: loss {value}, PyTorch {expected}");
        AssertClose(c.Floats("grad_logits"), loss.Backward().Span, what: name + " grad_logits");
    }

    [Fact]
    public void ZeroSmoothing_IsPlainCrossEntropy_BitForBit()
    {
        var rng = new Rng(5);
        var logits = Tensor.Zeros(6, 10);
        FillUniform(logits.Span, rng, 4f);
        int[] labels = [0, 3, 9, 9, 2, 5];
        var plain = new SoftmaxCrossEntropy();
        var smoothed = new SoftmaxCrossEntropy(0.0);
        Assert.Equal(BitConverter.DoubleToInt64Bits(plain.Forward(logits, labels)), BitConverter.DoubleToInt64Bits(smoothed.Forward(logits, labels)));
        Assert.Equal(plain.Backward().ToArray(), smoothed.Backward().ToArray());
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void OutsideZeroToOne_IsRefused(double smoothing) =>
        Assert.Throws<FcnLabException>(() => new SoftmaxCrossEntropy(smoothing));
}
