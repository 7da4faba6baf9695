using FcnLab.Engine.Data;
using FcnLab.Engine.Models;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Tests.Models;

public class PredictionTests
{
    [Fact]
    public void Softmax_SumsToOne_AndSurvivesLargeLogits()
    {
        var p = new double[3];
        Prediction.Softmax([1000f, 1000f, 0f], p);
        Assert.Equal(0.5, p[0], 12);
        Assert.Equal(0.5, p[1], 12);
        Assert.Equal(0.0, p[2], 12);
        Prediction.Softmax([1f, 2f, 3f], p);
        double e1 = Math.Exp(1), e2 = Math.Exp(2), e3 = Math.Exp(3);
        Assert.Equal(e3 / (e1 + e2 + e3), p[2], 12);
        Assert.Equal(1.0, p.Sum(), 12);
    }

    [Fact]
    public void TopK_MostProbableFirst_TiesInClassOrder()
    {
        var top = Prediction.TopK([0.1, 0.3, 0.2, 0.3, 0.1], 4);
        Assert.Equal([1, 3, 2, 0], top.Select(c => c.Class));
        Assert.Equal(0.3, top[0].Probability);
        Assert.Throws<FcnLabException>(() => Prediction.TopK([0.5, 0.5], 3));
        Assert.Throws<FcnLabException>(() => Prediction.TopK([0.5, 0.5], 0));
    }

    [Fact]
    public void Probabilities_NormalizeThenForwardInEvalMode()
    {
        // Softmax regression on 2x2 images: the probabilities follow from the weights by hand.
        var spec = new ModelSpec(ArchSpec.Parse("dense(classes)"), [1, 2, 2], 3);
        using var pool = new WorkerPool(1);
        var network = NetworkBuilder.Build(spec, pool, new Rng(5));
        var norm = new Normalization(NormalizeKind.Standardize, 100f, 50f);
        float[] pixels = [0, 100, 200, 250, 50, 50, 50, 50];
        var p = Prediction.Probabilities(network, norm, pixels, 2, batchSize: 1);

        var weights = network.Layers[0].Parameters.First(q => q.Name == "weight").Value.Span.ToArray(); // [in 4, out 3]
        var bias = network.Layers[0].Parameters.First(q => q.Name == "bias").Value.Span.ToArray();
        for (int i = 0; i < 2; i++)
        {
            var logits = new float[3];
            for (int o = 0; o < 3; o++)
            {
                double z = bias[o];
                for (int f = 0; f < 4; f++) z += (pixels[i * 4 + f] - 100.0) / 50.0 * weights[f * 3 + o];
                logits[o] = (float)z;
            }
            var want = new double[3];
            Prediction.Softmax(logits, want);
            for (int o = 0; o < 3; o++) Assert.Equal(want[o], p[i * 3 + o], 5);
        }
    }
}
