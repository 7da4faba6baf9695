namespace FcnLab.Benchmarks.Compute;

/// <summary>One product of one layer: its median time over repetitions and what that is worth.</summary>
public sealed record ProductTiming(int Layer, Product Product, int M, int N, int K, double Flops, double MedianSeconds, double PeakGflops)
{
    public double Gflops => Flops / MedianSeconds / 1e9;
    public double PercentOfPeak => 100 * Gflops / PeakGflops;
}
