namespace FcnLab.Lab.Reports.Charts;

/// <summary>The extent of a band at one x (e.g. mean ± std over repeats); non-finite bounds are gaps.</summary>
public readonly record struct BandPoint(double X, double Low, double High)
{
    public bool IsFinite => double.IsFinite(X) && double.IsFinite(Low) && double.IsFinite(High);
}
