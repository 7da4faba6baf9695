using FcnLab.Engine.Data;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Models;

/// <summary>Class probabilities of a trained network: normalize as the model file says, forward in eval mode, softmax.</summary>
public static class Prediction
{
    /// <summary>
    /// The softmax probabilities [count, classes] of <paramref name="count"/> images (raw 0..255 pixels, row-major,
    /// <c>features</c> each), normalized with <paramref name="normalization"/> and run through
    /// <paramref name="network"/> in evaluation mode, <paramref name="batchSize"/> at a time.
    /// </summary>
    public static double[] Probabilities(Sequential network, Normalization normalization, ReadOnlySpan<float> pixels, int count, int batchSize = 1000)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(normalization);
        int features = Tensor.SizeOf(network.InputShape);
        if (pixels.Length != (long)count * features)
            throw new FcnLabException($"Prediction got {pixels.Length} pixel values, which is not {count} images of {features} pixels.");
        int classes = network.OutputShape[^1];
        var probabilities = new double[(long)count * classes];
        for (int start = 0; start < count; start += batchSize)
        {
            int b = Math.Min(batchSize, count - start);
            var x = Tensor.Zeros(b, features);
            Normalization.Normalize(pixels.Slice(start * features, b * features), x.Span, normalization.Mean, normalization.Std);
            var logits = network.Forward(x, training: false).Span;
            for (int i = 0; i < b; i++)
                Softmax(logits.Slice(i * classes, classes), probabilities.AsSpan((start + i) * classes, classes));
        }
        return probabilities;
    }

    /// <summary>softmax(z)_j = exp(z_j - max z) / sum_k exp(z_k - max z), in double (subtracting the max keeps exp finite).</summary>
    public static void Softmax(ReadOnlySpan<float> logits, Span<double> probabilities)
    {
        if (probabilities.Length != logits.Length)
            throw new ArgumentException($"Softmax of {logits.Length} logits needs {logits.Length} outputs, not {probabilities.Length}.", nameof(probabilities));
        float max = float.NegativeInfinity;
        foreach (float z in logits) max = Math.Max(max, z);
        double sum = 0;
        for (int j = 0; j < logits.Length; j++) sum += probabilities[j] = Math.Exp(logits[j] - (double)max);
        for (int j = 0; j < logits.Length; j++) probabilities[j] /= sum;
    }

    /// <summary>The <paramref name="k"/> most probable classes, most probable first; equal probabilities in class order.</summary>
    public static ClassProbability[] TopK(ReadOnlySpan<double> probabilities, int k)
    {
        if (k < 1 || k > probabilities.Length)
            throw new FcnLabException($"The top {k} classes of {probabilities.Length} do not exist; ask for 1 to {probabilities.Length}.");
        var all = new ClassProbability[probabilities.Length];
        for (int j = 0; j < all.Length; j++) all[j] = new ClassProbability(j, probabilities[j]);
        // A stable sort by descending probability keeps ties in class order.
        return [.. all.OrderByDescending(c => c.Probability).Take(k)];
    }
}
