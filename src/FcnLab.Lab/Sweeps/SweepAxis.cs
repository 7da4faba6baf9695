namespace FcnLab.Lab.Sweeps;

/// <summary>One axis of a sweep grid: a training setting (a flag name, canonical form) and the values it takes, as written.</summary>
public sealed record SweepAxis(string Setting, IReadOnlyList<string> Values);
