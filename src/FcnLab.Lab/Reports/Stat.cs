namespace FcnLab.Lab.Reports;

/// <summary>Mean and sample standard deviation (n - 1; null for a single value) of the finite values of a metric over repeats.</summary>
public sealed record Stat(double Mean, double? Std, int Count)
{
    /// <summary>Null when no value is finite (nulls, NaN and infinities are left out).</summary>
    public static Stat? Of(IEnumerable<double?> values)
    {
        var xs = new List<double>();
        foreach (var v in values)
            if (v is { } x && double.IsFinite(x)) xs.Add(x);
        if (xs.Count == 0) return null;
        // Plain loops in list order: the same inputs always give the same bits.
        double sum = 0;
        foreach (double x in xs) sum += x;
        double mean = sum / xs.Count;
        if (xs.Count == 1) return new Stat(mean, null, 1);
        double squares = 0;
        foreach (double x in xs) squares += (x - mean) * (x - mean);
        return new Stat(mean, Math.Sqrt(squares / (xs.Count - 1)), xs.Count);
    }
}
