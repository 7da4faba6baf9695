using System.Diagnostics;
using FcnLab.Engine.Init;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Losses;
using FcnLab.Engine.Models;
using FcnLab.Engine.Optim;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;

namespace FcnLab.Bench;

/// <summary>
/// A/B of the ReLU fusion: the same network built twice, once fused as NetworkBuilder builds it and
/// once without fusion, training steps alternated between the two so both see the same machine;
/// median milliseconds per step of each.
/// </summary>
public static class FusionProbe
{
    public static void Run(int[] hidden, bool batchNorm, OptimizerKind optimizerKind, int threads, int batch = 512, int reps = 25)
    {
        var spec = new ModelSpec(new DenseShorthand(hidden, Activation.ReLU, 0.01f, batchNorm, 0).ToArchSpec(), [784], 10);
        using var pool = new WorkerPool(threads);
        var nets = new Sequential[2];
        var optimizers = new Optimizer[2];
        for (int v = 0; v < 2; v++)
        {
            nets[v] = NetworkBuilder.Build(spec, pool, new Rng(1), fuse: v == 0);
            NetworkBuilder.Initialize(nets[v], spec, InitScheme.Default, 1, new Rng(2));
            optimizers[v] = Optimizer.Create(new OptimizerConfig { Kind = optimizerKind, Lr = 1e-4 }, nets[v].Parameters, pool);
        }
        var loss = new SoftmaxCrossEntropy();
        var x = Tensor.Zeros(batch, 784);
        var rng = new Rng(3);
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextGaussian();
        var labels = Enumerable.Range(0, batch).Select(i => i % 10).ToArray();
        var times = new List<double>[] { new(), new() };
        for (int r = -3; r < reps; r++)
            for (int v = 0; v < 2; v++)
            {
                long t0 = Stopwatch.GetTimestamp();
                if (r == -3) nets[v].Parameters.ZeroGrad(pool);
                loss.Forward(nets[v].Forward(x, training: true), labels);
                nets[v].Backward(loss.Backward());
                optimizers[v].Step(zeroGrads: true);
                if (r >= 0) times[v].Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }
        double Median(List<double> t) => t.Order().ElementAt(t.Count / 2);
        Console.WriteLine($"{threads} thread(s), {nets[0].Describe()}: fused {Median(times[0]):F2} ms, unfused {Median(times[1]):F2} ms per step (medians of {reps}, alternated)");
    }
}
