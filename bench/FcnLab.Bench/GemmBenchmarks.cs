using BenchmarkDotNet.Attributes;
using FcnLab.Benchmarks.Compute;
using FcnLab.Engine.Tensors;

namespace FcnLab.Bench;

/// <summary>The three products of the default network (784-1200-2000-800-10) at batch 512, summed over its layers.</summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 9)]
public class GemmBenchmarks
{
    private WorkerPool _pool = null!;
    private Gemm _gemm = null!;
    private NetworkProducts _net = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _pool = new WorkerPool(Threads);
        _gemm = new Gemm(_pool);
        _net = new NetworkProducts(NetworkProducts.DefaultWidths, 512);
    }

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();

    [Benchmark] public void Forward() => _net.Run(_gemm, Product.Forward);

    [Benchmark] public void WeightGradient() => _net.Run(_gemm, Product.WeightGradient);

    [Benchmark] public void InputGradient() => _net.Run(_gemm, Product.InputGradient);

    /// <summary>Flops of one call of a benchmark method, for <see cref="GflopsColumn"/>.</summary>
    public static double FlopsOf(string method) =>
        new NetworkProducts(NetworkProducts.DefaultWidths, 1).Flops(Enum.Parse<Product>(method)) * 512;
}
