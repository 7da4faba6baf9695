using FcnLab.Engine.Layers;
using FcnLab.Engine.Losses;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Training;

/// <summary>Loss, accuracy and the confusion matrix (rows: true class, columns: predicted class) of one evaluation.</summary>
public sealed record EvalResult(double Loss, double Accuracy, long[,] Confusion)
{
    public int Classes => Confusion.GetLength(0);

    public long Count
    {
        get
        {
            long n = 0;
            foreach (long v in Confusion) n += v;
            return n;
        }
    }

    /// <summary>Per-class precision, recall, F1 and support; precision of a never-predicted class is 0 (scikit-learn's zero_division=0).</summary>
    public IReadOnlyList<ClassMetrics> PerClass()
    {
        int k = Classes;
        var result = new ClassMetrics[k];
        for (int c = 0; c < k; c++)
        {
            long tp = Confusion[c, c], predicted = 0, actual = 0;
            for (int j = 0; j < k; j++)
            {
                predicted += Confusion[j, c];
                actual += Confusion[c, j];
            }
            double precision = predicted == 0 ? 0 : (double)tp / predicted;
            double recall = actual == 0 ? 0 : (double)tp / actual;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            result[c] = new ClassMetrics(c, precision, recall, f1, actual);
        }
        return result;
    }
}

public sealed record ClassMetrics(int Class, double Precision, double Recall, double F1, long Support);

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
