namespace FcnLab.Lab.Reports.Charts;

/// <summary>One line of a parallel-coordinates chart: a trial's value of each setting (as text) and its metric (non-finite: not drawn).</summary>
public sealed record ParallelLine(IReadOnlyList<string> Settings, double Metric);
