using System.Diagnostics;
using FcnLab.Benchmarks.Probes;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Optim;
using FcnLab.Engine.Tensors;

namespace FcnLab.Benchmarks.Compute;

/// <summary>
/// The convolutions of one training step of a CNN (an --arch on 1x28x28 inputs), each Conv2d's forward
/// and backward timed alone against the FMA peak of the same threads. Each time covers the whole layer
/// (im2col, the products, the transposes and col2im), which is what a training step pays.
/// </summary>
public static class ConvProducts
{
    /// <summary>On a pool of <paramref name="threads"/>: every Conv2d of <paramref name="arch"/>, median of <paramref name="repetitions"/> after two warm-up calls.</summary>
    public static ConvProductsResult Measure(string arch, int batch, int threads, double peakGflops, int repetitions = 9)
    {
        using var pool = new WorkerPool(threads);
        var spec = ProbeNetwork.Arch(arch);
        var net = ProbeNetwork.Build(spec, pool, OptimizerKind.Sgd).Network;
        var (x, _) = ProbeNetwork.Batch(spec, batch);
        // Each layer's input, from one forward pass of the whole network.
        var inputs = new List<Tensor> { x };
        foreach (var layer in net.Layers) inputs.Add(Copy(layer.Forward(inputs[^1], training: true)));

        var timings = new List<ConvTiming>();
        var times = new double[repetitions];
        for (int l = 0; l < net.Layers.Count; l++)
        {
            if (net.Layers[l] is not Conv2d conv) continue;
            var input = inputs[l];
            var gradOutput = Copy(inputs[l + 1]);
            double forwardFlops = 2.0 * batch * conv.OutChannels * conv.FanIn * (gradOutput.Length / batch / conv.OutChannels);
            double Time(Action call)
            {
                call();
                call();
                for (int r = 0; r < repetitions; r++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    call();
                    times[r] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                }
                Array.Sort(times);
                return times[repetitions / 2];
            }
            double forward = Time(() => conv.Forward(input, training: true));
            // Backward: the weight gradient, and the input gradient unless the layer is the first.
            double backward = Time(() => conv.Backward(gradOutput));
            timings.Add(new ConvTiming(l, conv.Describe(), "forward", forwardFlops, forward, peakGflops));
            timings.Add(new ConvTiming(l, conv.Describe(), conv.NeedsInputGradient ? "backward" : "backward (weight gradient only)",
                forwardFlops * (conv.NeedsInputGradient ? 2 : 1), backward, peakGflops));
        }
        return new ConvProductsResult(arch, batch, threads, peakGflops, timings);
    }

    /// <summary>A tensor's own copy: a layer's output buffer is reused by its next call.</summary>
    private static Tensor Copy(Tensor t) => Tensor.From(t.ToArray(), t.Shape);
}
