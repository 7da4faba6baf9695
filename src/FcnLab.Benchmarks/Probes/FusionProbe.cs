using System.Diagnostics;
using FcnLab.Engine.Init;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Losses;
using FcnLab.Engine.Models;
using FcnLab.Engine.Optim;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;

namespace FcnLab.Benchmarks.Probes;

/// <summary>
/// A/B of the ReLU fusion: the same network built twice, once as Sequential fuses it and once with
/// the fusion switched off, training steps alternated between the two so both see the same machine;
/// median milliseconds per step of each.
/// </summary>
public static class FusionProbe
{
    public static void Run(TextWriter output, int[] hidden, bool batchNorm, OptimizerKind optimizerKind, int threads, int batch = 512, int reps = 25)
    {
        var spec = new ModelSpec { InputShape = [784], Classes = 10, Hidden = hidden, BatchNorm = batchNorm };
        using var pool = new WorkerPool(threads);
        var gemm = new Gemm(pool);
        var nets = new Sequential[2];
        var optimizers = new Optimizer[2];
        for (int v = 0; v < 2; v++)
        {
            nets[v] = NetworkBuilder.Build(spec, gemm, new Rng(1));
            NetworkBuilder.Initialize(nets[v], spec, InitScheme.Default, 1, new Rng(2));
            optimizers[v] = Optimizer.Create(new OptimizerConfig { Kind = optimizerKind, Lr = 1e-4 }, nets[v].Parameters, pool);
        }
        foreach (var layer in nets[1].Layers)
        {
            if (layer is Linear l) l.ReluOnOutput = l.ReluOnInput = false;
            if (layer is ReLU r) r.AppliedByPrevious = r.DerivativeAppliedByNext = false;
            if (layer is BatchNorm1d b) b.ReluOnOutput = false;
            if (layer is BatchNorm2d b2) b2.ReluOnOutput = false;
            if (layer is Conv2d c) c.ReluOnOutput = false;
            if (layer is MaxPool2d m) m.ReluOnInput = false;
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
        output.WriteLine($"{threads} thread(s), {nets[0].Describe()}: fused {Median(times[0]):F2} ms, unfused {Median(times[1]):F2} ms per step (medians of {reps}, alternated)");
    }
}
