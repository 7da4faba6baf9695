namespace FcnLab.Benchmarks.Compute;

/// <summary>One Conv2d's forward or backward (network layer index <paramref name="Layer"/>): its median time and what that is worth.</summary>
public sealed record ConvTiming(int Layer, string Description, string Pass, double Flops, double MedianSeconds, double PeakGflops)
{
    public double Gflops => Flops / MedianSeconds / 1e9;
    public double PercentOfPeak => 100 * Gflops / PeakGflops;
}
