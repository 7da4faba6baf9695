using FcnLab.Engine.Init;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Models;
using FcnLab.Engine.Optim;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;

namespace FcnLab.Benchmarks.Probes;

/// <summary>
/// What the step probes train: a network built and initialized from a spec (seeds 1 and 2) with its
/// optimizer (lr 1e-4), and one batch of Gaussian inputs (seed 3) labelled 0..9 in turn.
/// </summary>
internal sealed record ProbeNetwork(Sequential Network, Optimizer Optimizer)
{
    /// <param name="fuse">False: every ReLU a layer of its own (the fusion probe's other half).</param>
    public static ProbeNetwork Build(ModelSpec spec, WorkerPool pool, OptimizerKind optimizerKind, bool fuse = true)
    {
        var network = NetworkBuilder.Build(spec, pool, new Rng(1), fuse);
        NetworkBuilder.Initialize(network, spec, InitScheme.Default, 1, new Rng(2));
        return new ProbeNetwork(network, Optimizer.Create(new OptimizerConfig { Kind = optimizerKind, Lr = 1e-4 }, network.Parameters, pool));
    }

    /// <summary>The dense network of --hidden on 784 inputs and 10 classes.</summary>
    public static ModelSpec Dense(int[] hidden, bool batchNorm) =>
        new(new DenseShorthand(hidden, Activation.ReLU, 0.01f, batchNorm, Dropout: 0).ToArchSpec(), [784], 10);

    /// <summary>An architecture spec (e.g. "lenet5") on 1x28x28 inputs and 10 classes.</summary>
    public static ModelSpec Arch(string arch) =>
        new(ArchSpec.Parse(arch), [1, 28, 28], 10);

    public static (Tensor X, int[] Labels) Batch(ModelSpec spec, int batch)
    {
        var x = Tensor.Zeros([batch, .. spec.InputShape]);
        var rng = new Rng(3);
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextGaussian();
        return (x, Enumerable.Range(0, batch).Select(i => i % 10).ToArray());
    }
}
