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
