using FcnLab.Engine.Layers;
using FcnLab.Engine.Losses;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Training;

/// <summary>Evaluates a network on a labelled set: mean loss, accuracy and the confusion matrix.</summary>
public static class Evaluator
{
    /// <summary>Runs the network in evaluation mode over <paramref name="x"/> ([n, features]) in batches.</summary>
    public static EvalResult Evaluate(Sequential network, Tensor x, int[] labels, int classes, int batchSize = 1000, int[]? predictions = null)
    {
        int n = x.Rows, features = x.RowSize;
        var loss = new SoftmaxCrossEntropy();
        var confusion = new long[classes, classes];
        double totalLoss = 0;
        long correct = 0;
        for (int start = 0; start < n; start += batchSize)
        {
            int b = Math.Min(batchSize, n - start);
            var batch = x.View(start * features, b, features);
            var logits = network.Forward(batch, training: false);
            var batchLabels = labels.AsSpan(start, b);
            // The loss already finds every row's predicted class.
            totalLoss += loss.Forward(logits, batchLabels) * b;
            var predicted = loss.Predictions;
            for (int i = 0; i < b; i++)
            {
                int pred = predicted[i];
                confusion[batchLabels[i], pred]++;
                if (pred == batchLabels[i]) correct++;
                if (predictions != null) predictions[start + i] = pred;
            }
        }
        return new EvalResult(n == 0 ? double.NaN : totalLoss / n, n == 0 ? double.NaN : (double)correct / n, confusion);
    }
}
