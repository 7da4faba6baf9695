namespace FcnLab.Dashboard;

/// <summary>Per-class precision, recall and F1 from a confusion matrix [true, predicted]; NaN where a class was never predicted or never present.</summary>
internal sealed record ClassMetrics(string Name, long Support, double Precision, double Recall, double F1)
{
    public static IReadOnlyList<ClassMetrics> Of(long[,] confusion, IReadOnlyList<string> names)
    {
        int k = confusion.GetLength(0);
        var result = new List<ClassMetrics>(k);
        for (int c = 0; c < k; c++)
        {
            long tp = confusion[c, c], row = 0, column = 0;
            for (int j = 0; j < k; j++) { row += confusion[c, j]; column += confusion[j, c]; }
            double precision = column > 0 ? (double)tp / column : double.NaN;
            double recall = row > 0 ? (double)tp / row : double.NaN;
            double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : double.NaN;
            result.Add(new ClassMetrics(c < names.Count ? names[c] : $"class {c}", row, precision, recall, f1));
        }
        return result;
    }
}
