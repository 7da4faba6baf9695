using System.Globalization;
using FcnLab.Engine.Data;
using FcnLab.Engine.Init;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Models;

/// <summary>Turns a <see cref="ModelSpec"/> into a <see cref="Sequential"/> network, initializes it, and counts and checks it without building it.</summary>
public static class NetworkBuilder
{
    /// <summary>
    /// One layer per spec layer, in order (so tensor names are the spec's indices: "0.weight"). Parameters
    /// are zero until <see cref="Initialize"/> (or a model file) fills them. The fusions are decided here
    /// and built into the layers: a ReLU after a dense, conv or batch norm layer is applied by that layer
    /// (on its output, without a pass of its own), and its derivative by a dense layer or max pool after
    /// it; the first layer computes no input gradient.
    /// </summary>
    /// <param name="pool">The worker pool the layers and their matrix products spread their work over.</param>
    /// <param name="dropoutRng">The generator of the dropout masks.</param>
    /// <param name="fuse">False builds every ReLU as a layer of its own (the same numbers; for benchmarks and tests of the fusion).</param>
    public static Sequential Build(ModelSpec spec, WorkerPool pool, Rng dropoutRng, bool fuse = true)
    {
        Validate(spec);
        var gemm = new Gemm(pool);
        var arch = spec.Arch.Layers;
        var shapes = spec.Arch.Shapes(spec.InputShape, spec.Classes);
        var layers = new List<Layer>();
        var shape = spec.NetworkInputShape;
        for (int i = 0; i < arch.Count; i++)
        {
            var l = arch[i];
            bool first = i == 0;
            // A ReLU next to this layer that it applies: max(x, 0) on its output, or the derivative on its input gradient.
            bool reluOnOutput = fuse && i + 1 < arch.Count && arch[i + 1].Kind == LayerKind.ReLU;
            bool reluOnInput = fuse && i >= 2 && arch[i - 1].Kind == LayerKind.ReLU;
            layers.Add(l.Kind switch
            {
                LayerKind.Conv => new Conv2d(shape[0], l.Channels, l.KernelSize, l.Stride, l.Padding, l.Bias, pool)
                    { ReluOnOutput = reluOnOutput, NeedsInputGradient = !first },
                LayerKind.Dense => new Linear(shape[0], l.Features, gemm, pool)
                    { ReluOnOutput = reluOnOutput, ReluOnInput = reluOnInput, NeedsInputGradient = !first },
                LayerKind.MaxPool => new MaxPool2d(l.KernelSize, l.Stride, l.Padding, pool) { ReluOnInput = reluOnInput, NeedsInputGradient = !first },
                LayerKind.AvgPool => new AvgPool2d(l.KernelSize, l.Stride, l.Padding, pool) { NeedsInputGradient = !first },
                LayerKind.BatchNorm => shape.Length == 3
                    ? new BatchNorm2d(shape[0], pool: pool) { ReluOnOutput = reluOnOutput, NeedsInputGradient = !first }
                    : new BatchNorm1d(shape[0], pool: pool) { ReluOnOutput = reluOnOutput, NeedsInputGradient = !first },
                LayerKind.Dropout => new Dropout((float)l.DropoutP, dropoutRng) { NeedsInputGradient = !first },
                LayerKind.Flatten => new Flatten { NeedsInputGradient = !first },
                LayerKind.ReLU => new ReLU(pool)
                {
                    AppliedByPrevious = fuse && !first && arch[i - 1].Kind is LayerKind.Dense or LayerKind.Conv or LayerKind.BatchNorm,
                    DerivativeAppliedByNext = fuse && !first && i + 1 < arch.Count && arch[i + 1].Kind is LayerKind.Dense or LayerKind.MaxPool,
                    NeedsInputGradient = !first,
                },
                LayerKind.Tanh => new Tanh(pool) { NeedsInputGradient = !first },
                LayerKind.Sigmoid => new Sigmoid(pool) { NeedsInputGradient = !first },
                LayerKind.LeakyReLU => new LeakyReLU((float)l.NegativeSlope, pool) { NeedsInputGradient = !first },
                _ => throw new ArgumentOutOfRangeException(nameof(spec), $"Unknown layer kind {l.Kind}."),
            });
            shape = shapes[i];
        }
        return new Sequential(spec.NetworkInputShape, layers);
    }

    /// <summary>
    /// Initializes every Linear and Conv2d (layer by layer, weight then bias, from one generator) and
    /// resets batch norm. The Kaiming gain is that of <see cref="ArchSpec.GainActivation"/>.
    /// </summary>
    public static void Initialize(Sequential network, ModelSpec spec, InitScheme scheme, double std, Rng initRng)
    {
        for (int i = 0; i < network.Layers.Count; i++)
        {
            switch (network.Layers[i])
            {
                case Linear linear:
                {
                    var (activation, slope) = spec.Arch.GainActivation(i);
                    Initializer.Apply(scheme, linear.Weight, linear.Bias, linear.InFeatures, linear.OutFeatures, activation, slope, std, initRng);
                    break;
                }
                case Conv2d conv:
                {
                    var (activation, slope) = spec.Arch.GainActivation(i);
                    int area = conv.KernelSize * conv.KernelSize;
                    Initializer.Apply(scheme, conv.Weight, conv.Bias, conv.FanIn, conv.OutChannels * area, activation, slope, std, initRng, area);
                    break;
                }
                case BatchNormBase bn:
                    bn.ResetParameters();
                    break;
            }
        }
    }

    /// <summary>Refuses a spec that cannot be built: a bad input shape or class count, layers that do not fit together, too many parameters.</summary>
    public static void Validate(ModelSpec spec)
    {
        // Checked before InputFeatures is used: it multiplies the sizes in int.
        if (spec.InputShape.Length is < 1 or > 3 || spec.InputShape.Any(d => d < 1))
            throw new FcnLabException($"The input shape [{string.Join(", ", spec.InputShape)}] must be one to three positive sizes.");
        long features = 1;
        foreach (int d in spec.InputShape)
            if ((features *= d) > int.MaxValue)
                throw new FcnLabException($"The input shape [{string.Join(", ", spec.InputShape)}] has more pixels than FcnLab can hold.");
        if (spec.Classes is < 2 or > ImageDataset.MaxClasses)
            throw new FcnLabException($"A classifier needs from 2 to {ImageDataset.MaxClasses} classes (got {spec.Classes}).");
        // Counted without building; this also checks every layer fits the one before it.
        long parameters;
        try { parameters = CountParameters(spec); }
        catch (OverflowException) { parameters = long.MaxValue; }
        // Parameters, gradients and optimizer state each live in one flat buffer of at most 2^31 - 1 floats.
        if (parameters > int.MaxValue)
            throw new FcnLabException($"The network has {(parameters == long.MaxValue ? "far more than" : parameters.ToString("N0", CultureInfo.InvariantCulture))} parameters; FcnLab holds at most {int.MaxValue:N0} (8 GB of float32) in one model. Use narrower layers.");
    }

    /// <summary>
    /// The learnable parameters of the network, counted from the shapes without building it (so a spec far
    /// too large to build is refused, not allocated). Checks that the layers fit together.
    /// </summary>
    /// <exception cref="OverflowException">For a spec far too large to build (a damaged model file's, say).</exception>
    public static long CountParameters(ModelSpec spec)
    {
        var layers = spec.Arch.Layers;
        var shapes = spec.Arch.Shapes(spec.InputShape, spec.Classes);
        long total = 0;
        var shape = spec.NetworkInputShape;
        checked
        {
            for (int i = 0; i < layers.Count; i++)
            {
                var l = layers[i];
                total += l.Kind switch
                {
                    LayerKind.Dense => (long)shape[0] * shapes[i][0] + shapes[i][0],
                    LayerKind.Conv => (long)l.Channels * shape[0] * l.KernelSize * l.KernelSize + (l.Bias ? l.Channels : 0),
                    LayerKind.BatchNorm => 2L * shape[0],
                    _ => 0,
                };
                shape = shapes[i];
            }
        }
        return total;
    }
}
