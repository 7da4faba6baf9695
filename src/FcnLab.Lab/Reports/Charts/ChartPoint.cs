namespace FcnLab.Lab.Reports.Charts;

/// <summary>One point of a series; a non-finite <see cref="Y"/> is a gap (the line breaks there).</summary>
public readonly record struct ChartPoint(double X, double Y);
