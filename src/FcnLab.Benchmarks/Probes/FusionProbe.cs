using System.Diagnostics;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Losses;
using FcnLab.Engine.Optim;
using FcnLab.Engine.Tensors;

namespace FcnLab.Benchmarks.Probes;

/// <summary>
/// A/B of the ReLU fusion: the same network built twice, once fused as NetworkBuilder builds it and
/// once without fusion, training steps alternated between the two so both see the same machine;
/// median milliseconds per step of each.
/// </summary>
public static class FusionProbe
{
    public static void Run(TextWriter output, int[] hidden, bool batchNorm, OptimizerKind optimizerKind, int threads, int batch = 512, int reps = 25)
    {
        var spec = ProbeNetwork.Dense(hidden, batchNorm);
        using var pool = new WorkerPool(threads);
        var variants = new[] { ProbeNetwork.Build(spec, pool, optimizerKind), ProbeNetwork.Build(spec, pool, optimizerKind, fuse: false) };
        var nets = variants.Select(v => v.Network).ToArray();
        var optimizers = variants.Select(v => v.Optimizer).ToArray();
        var loss = new SoftmaxCrossEntropy();
        var (x, labels) = ProbeNetwork.Batch(spec, batch);
        var times = new List<double>[] { new(), new() };
        for (int r = -3; r < reps; r++)
            for (int v = 0; v < 2; v++)
            {
                long t0 = Stopwatch.GetTimestamp();
                if (r == -3) nets[v].Parameters.ZeroGrad(pool);
                loss.Forward(nets[v].Forward(x, training: true), labels);
                nets[v].Backward(loss.Backward());
                optimizers[v].Step(optimizers[v].Config.Lr, zeroGrads: true);
                if (r >= 0) times[v].Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }
        double Median(List<double> t) => t.Order().ElementAt(t.Count / 2);
        output.WriteLine($"{threads} thread(s), {nets[0].Describe()}: fused {Median(times[0]):F2} ms, unfused {Median(times[1]):F2} ms per step (medians of {reps}, alternated)");
    }
}
