namespace FcnLab.Benchmarks.Store;

/// <summary>Latency of one kind of store call: median, 90th percentile and mean, in milliseconds.</summary>
public sealed record OperationCost(string Operation, int Count, double MedianMs, double P90Ms, double MeanMs);
