using System.Diagnostics;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Optim;
using FcnLab.Engine.Tensors;

namespace FcnLab.Benchmarks.Probes;

/// <summary>
/// A/B of zeroing the gradients: zero_grad then an optimizer step, against the step that zeroes as it
/// goes, on the default network's parameter count; calls alternated, median milliseconds of each.
/// </summary>
public static class ZeroGradProbe
{
    public static void Run(TextWriter output, int threads)
    {
        foreach (var kind in new[] { OptimizerKind.Sgd, OptimizerKind.Adam })
        {
            using var pool = new WorkerPool(threads);
            // The default network's parameter count.
            var set = new ParameterSet([new Parameter("w", ParameterKind.Weight, 784 * 1200 + 1200 + 1200 * 2000 + 2000 + 2000 * 800 + 800 + 8010)]);
            var opt = Optimizer.Create(new OptimizerConfig { Kind = kind, Lr = 1e-4, Momentum = 0.9 }, set, pool);
            var times = new[] { new List<double>(), new List<double>() };
            for (int r = -3; r < 41; r++)
                for (int v = 0; v < 2; v++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    if (v == 0) { set.ZeroGrad(pool); opt.Step(opt.Config.Lr); } else opt.Step(opt.Config.Lr, zeroGrads: true);
                    if (r >= 0) times[v].Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                }
            output.WriteLine($"{kind}, {set.Count} parameters, {threads} thread(s): zero_grad + step {times[0].Order().ElementAt(20):F2} ms, zeroing step {times[1].Order().ElementAt(20):F2} ms (medians of 41, alternated)");
        }
    }
}
