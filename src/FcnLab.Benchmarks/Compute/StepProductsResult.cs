namespace FcnLab.Benchmarks.Compute;

/// <summary>The GEMMs of one training step of a network, each timed on its own with <see cref="Kernel"/>, and their FLOP-weighted total.</summary>
public sealed record StepProductsResult(int Threads, string Kernel, double PeakGflops, IReadOnlyList<ProductTiming> Products)
{
    public double TotalFlops => Products.Sum(p => p.Flops);
    public double TotalSeconds => Products.Sum(p => p.MedianSeconds);
    /// <summary>FLOP-weighted: all products' operations over all their (median) time.</summary>
    public double TotalGflops => TotalFlops / TotalSeconds / 1e9;
    public double TotalPercentOfPeak => 100 * TotalGflops / PeakGflops;
}
