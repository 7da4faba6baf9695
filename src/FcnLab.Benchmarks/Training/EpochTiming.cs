namespace FcnLab.Benchmarks.Training;

/// <summary>
/// Seconds per epoch of one network: <see cref="SecondsPerEpoch"/> is DESIGN.md's (median of epochs 2 and
/// later), <see cref="EpochSeconds"/> every epoch's training loop; on <see cref="Data"/> (a directory, or "(synthetic)").
/// </summary>
public sealed record EpochTiming(string Network, string Data, int Threads, double SecondsPerEpoch, IReadOnlyList<double> EpochSeconds);
