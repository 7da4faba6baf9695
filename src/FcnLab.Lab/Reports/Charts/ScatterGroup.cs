namespace FcnLab.Lab.Reports.Charts;

/// <summary>Points of a scatter plot drawn alike: a legend label, and whether they are muted (grey, e.g. pruned trials).</summary>
public sealed record ScatterGroup(string Label, IReadOnlyList<ChartPoint> Points, bool Muted = false);
