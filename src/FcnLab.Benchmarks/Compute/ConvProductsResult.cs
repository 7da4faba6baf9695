namespace FcnLab.Benchmarks.Compute;

/// <summary>The convolutions of one training step of <paramref name="Arch"/> at <paramref name="Batch"/>, and their FLOP-weighted total.</summary>
public sealed record ConvProductsResult(string Arch, int Batch, int Threads, double PeakGflops, IReadOnlyList<ConvTiming> Passes)
{
    public double TotalFlops => Passes.Sum(p => p.Flops);
    public double TotalSeconds => Passes.Sum(p => p.MedianSeconds);
    public double TotalGflops => TotalFlops / TotalSeconds / 1e9;
    public double TotalPercentOfPeak => 100 * TotalGflops / PeakGflops;
}
