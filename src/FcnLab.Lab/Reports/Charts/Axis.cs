using System.Globalization;

namespace FcnLab.Lab.Reports.Charts;

/// <summary>
/// A linear axis with "nice" ticks (steps of 1, 2 or 5 times a power of ten) covering the finite values
/// given. Empty or flat data still gets a non-empty range, so scaling never divides by zero.
/// </summary>
internal sealed class Axis
{
    public double Min { get; }
    public double Max { get; }
    public double Step { get; }
    public IReadOnlyList<double> Ticks { get; }
    private readonly int _decimals;

    private Axis(double min, double max, double step, IReadOnlyList<double> ticks, int decimals)
    {
        Min = min;
        Max = max;
        Step = step;
        Ticks = ticks;
        _decimals = decimals;
    }

    /// <param name="integerSteps">Ticks on whole numbers only (epochs).</param>
    public static Axis Nice(IEnumerable<double> values, bool integerSteps = false, int targetTicks = 6)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double v in values)
        {
            if (!double.IsFinite(v)) continue;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        if (min > max) (min, max) = (0, 1);
        if (max - min <= Math.Abs(max) * 1e-12)
        {
            // A flat series: pad around the value.
            double pad = max == 0 ? 1 : Math.Abs(max) * 0.1;
            if (integerSteps) pad = Math.Max(pad, 1);
            (min, max) = (min - pad, max + pad);
        }

        double step = NiceStep((max - min) / (targetTicks - 1));
        if (integerSteps) step = Math.Max(1, step);
        int decimals = Math.Clamp(-(int)Math.Floor(Math.Log10(step)), 0, 15);
        double lo = Math.Floor(min / step) * step, hi = Math.Ceiling(max / step) * step;
        int count = (int)Math.Round((hi - lo) / step);
        var ticks = new double[count + 1];
        for (int i = 0; i <= count; i++) ticks[i] = Math.Round(lo + i * step, decimals) + 0.0;
        return new Axis(ticks[0], ticks[^1], step, ticks, decimals);
    }

    /// <summary>The smallest of 1, 2, 5 times a power of ten that is at least <paramref name="rough"/>.</summary>
    private static double NiceStep(double rough)
    {
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        foreach (double m in (ReadOnlySpan<double>)[1, 2, 5, 10])
            if (m * magnitude >= rough * (1 - 1e-9)) return m * magnitude;
        return 10 * magnitude;
    }

    /// <summary>Maps <paramref name="v"/> from [Min, Max] to [<paramref name="from"/>, <paramref name="to"/>] (pixels; to may be below from).</summary>
    public double Map(double v, double from, double to) => from + (v - Min) / (Max - Min) * (to - from);

    public string Label(double tick) => tick.ToString("F" + _decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
