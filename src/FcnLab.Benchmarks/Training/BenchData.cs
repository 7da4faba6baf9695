using FcnLab.Engine.Data;

namespace FcnLab.Benchmarks.Training;

/// <summary>The data set the epochs are timed on; <see cref="Substitute"/> says why it is synthetic, when it is.</summary>
public sealed record BenchData(ImageDataset Dataset, string? Substitute);
