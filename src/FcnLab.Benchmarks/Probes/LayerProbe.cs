using System.Diagnostics;
using FcnLab.Engine.Losses;
using FcnLab.Engine.Models;
using FcnLab.Engine.Optim;
using FcnLab.Engine.Tensors;

namespace FcnLab.Benchmarks.Probes;

/// <summary>Where a training step's time goes: median milliseconds of each layer's forward and backward, the loss and the optimizer.</summary>
public static class LayerProbe
{
    public static void Run(TextWriter output, int[] hidden, bool batchNorm, OptimizerKind optimizerKind, int threads, int batch = 512, int reps = 15) =>
        Run(output, ProbeNetwork.Dense(hidden, batchNorm), optimizerKind, threads, batch, reps);

    /// <summary>An architecture spec (e.g. "lenet5") on 1x28x28 inputs.</summary>
    public static void Run(TextWriter output, string arch, OptimizerKind optimizerKind, int threads, int batch = 128, int reps = 15) =>
        Run(output, ProbeNetwork.Arch(arch), optimizerKind, threads, batch, reps);

    private static void Run(TextWriter output, ModelSpec spec, OptimizerKind optimizerKind, int threads, int batch, int reps)
    {
        using var pool = new WorkerPool(threads);
        var (net, optimizer) = ProbeNetwork.Build(spec, pool, optimizerKind);
        var loss = new SoftmaxCrossEntropy();
        var (x, labels) = ProbeNetwork.Batch(spec, batch);

        int layers = net.Layers.Count;
        var fwd = new double[layers, reps];
        var bwd = new double[layers, reps];
        var other = new double[2, reps];
        var inputs = new Tensor[layers + 1];
        // One thread: its CPU time (a busy machine's other processes do not count); else wall-clock time.
        bool cpu = threads == 1 && ThreadClock.Available;
        Func<double> now = cpu ? ThreadClock.Milliseconds : () => Stopwatch.GetTimestamp() * 1e3 / Stopwatch.Frequency;
        // As StepRunner: zero_grad once; after that the optimizer step leaves the gradients at zero.
        net.Parameters.ZeroGrad(pool);
        for (int r = -3; r < reps; r++)
        {
            inputs[0] = x;
            for (int l = 0; l < layers; l++)
            {
                double t0 = now();
                inputs[l + 1] = net.Layers[l].Forward(inputs[l], training: true);
                if (r >= 0) fwd[l, r] = now() - t0;
            }
            double t1 = now();
            loss.Forward(inputs[layers], labels);
            Tensor? g = loss.Backward();
            if (r >= 0) other[0, r] = now() - t1;
            for (int l = layers - 1; l >= 0 && g != null; l--)
            {
                double t0 = now();
                g = net.Layers[l].Backward(g);
                if (r >= 0) bwd[l, r] = now() - t0;
            }
            t1 = now();
            optimizer.Step(optimizer.Config.Lr, zeroGrads: true);
            if (r >= 0) other[1, r] = now() - t1;
        }
        double Median(double[,] a, int row)
        {
            var v = Enumerable.Range(0, reps).Select(i => a[row, i]).OrderBy(d => d).ToArray();
            return v[reps / 2];
        }
        double total = 0;
        output.WriteLine($"{threads} thread(s), batch {batch}, {optimizerKind}, {(cpu ? "thread CPU time" : "wall-clock time")}: {net.Describe()}");
        for (int l = 0; l < layers; l++)
        {
            double f = Median(fwd, l), b = Median(bwd, l);
            total += f + b;
            string name = net.Layers[l].Describe();
            output.WriteLine($"  {(name.Length > 40 ? name[..40] : name),-40} forward {f,7:F2} ms  backward {b,7:F2} ms");
        }
        string[] names = ["loss fwd+bwd", "optimizer step + zeroing"];
        for (int i = 0; i < names.Length; i++)
        {
            total += Median(other, i);
            output.WriteLine($"  {names[i],-26} {Median(other, i),7:F2} ms");
        }
        output.WriteLine($"  total (sum of medians)     {total,7:F2} ms per step");
        if (spec.Arch != null) output.WriteLine($"  {total * Math.Ceiling(54000.0 / batch) / 1000:F2} s per 54,000-image epoch at this rate");
    }
}
