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
        var layers = BuildLayers(spec.Arch.Layers, spec.NetworkInputShape, first: true, pool, gemm, dropoutRng, fuse);
        return new Sequential(spec.NetworkInputShape, layers);
    }

    /// <summary>
    /// The layers of a network or of a res block, for inputs of <paramref name="shape"/>, with the
    /// fusions of <see cref="Build"/> decided within the list. <paramref name="first"/>: the list starts
    /// the network (its first layer computes no input gradient).
    /// </summary>
    private static List<Layer> BuildLayers(IReadOnlyList<LayerSpec> arch, int[] shape, bool first, WorkerPool pool, Gemm gemm, Rng dropoutRng, bool fuse)
    {
        var layers = new List<Layer>();
        for (int i = 0; i < arch.Count; i++)
        {
            var l = arch[i];
            bool noInputGradient = first && i == 0;
            // A ReLU next to this layer that it applies: max(x, 0) on its output, or the derivative on its input gradient.
            bool reluOnOutput = fuse && i + 1 < arch.Count && arch[i + 1].Kind == LayerKind.ReLU;
            bool reluOnInput = fuse && i >= 2 && arch[i - 1].Kind == LayerKind.ReLU;
            Layer layer = l.Kind switch
            {
                LayerKind.Conv => new Conv2d(shape[0], l.Channels, l.KernelSize, l.Stride, l.Padding, l.Bias, pool)
                    { ReluOnOutput = reluOnOutput, NeedsInputGradient = !noInputGradient },
                LayerKind.Dense => new Linear(shape[0], l.Features, gemm, pool)
                    { ReluOnOutput = reluOnOutput, ReluOnInput = reluOnInput, NeedsInputGradient = !noInputGradient },
                LayerKind.MaxPool => new MaxPool2d(l.KernelSize, l.Stride, l.Padding, pool) { ReluOnInput = reluOnInput, NeedsInputGradient = !noInputGradient },
                LayerKind.AvgPool => new AvgPool2d(l.KernelSize, l.Stride, l.Padding, pool) { NeedsInputGradient = !noInputGradient },
                LayerKind.BatchNorm => shape.Length == 3
                    ? new BatchNorm2d(shape[0], pool: pool) { ReluOnOutput = reluOnOutput, NeedsInputGradient = !noInputGradient }
                    : new BatchNorm1d(shape[0], pool: pool) { ReluOnOutput = reluOnOutput, NeedsInputGradient = !noInputGradient },
                LayerKind.Dropout => new Dropout((float)l.DropoutP, dropoutRng) { NeedsInputGradient = !noInputGradient },
                LayerKind.Flatten => new Flatten { NeedsInputGradient = !noInputGradient },
                LayerKind.Gap => new GlobalAvgPool2d(pool) { NeedsInputGradient = !noInputGradient },
                LayerKind.Res => BuildBlock(l, shape, noInputGradient, reluOnOutput, pool, gemm, dropoutRng, fuse),
                LayerKind.ReLU => new ReLU(pool)
                {
                    AppliedByPrevious = fuse && i > 0 && arch[i - 1].Kind is LayerKind.Dense or LayerKind.Conv or LayerKind.BatchNorm or LayerKind.Res,
                    DerivativeAppliedByNext = fuse && i > 0 && i + 1 < arch.Count && arch[i + 1].Kind is LayerKind.Dense or LayerKind.MaxPool,
                    NeedsInputGradient = !noInputGradient,
                },
                LayerKind.Tanh => new Tanh(pool) { NeedsInputGradient = !noInputGradient },
                LayerKind.Sigmoid => new Sigmoid(pool) { NeedsInputGradient = !noInputGradient },
                LayerKind.LeakyReLU => new LeakyReLU((float)l.NegativeSlope, pool) { NeedsInputGradient = !noInputGradient },
                _ => throw new ArgumentOutOfRangeException(nameof(arch), $"Unknown layer kind {l.Kind}."),
            };
            layers.Add(layer);
            shape = layer.OutputShape(shape);
        }
        return layers;
    }

    /// <summary>A res block: its layers, and the 1x1 projection (conv without bias, batch norm) when they change the shape.</summary>
    private static Residual BuildBlock(LayerSpec block, int[] shape, bool noInputGradient, bool reluOnOutput, WorkerPool pool, Gemm gemm, Rng dropoutRng, bool fuse)
    {
        var body = BuildLayers(block.Body, shape, noInputGradient, pool, gemm, dropoutRng, fuse);
        var output = shape;
        foreach (var l in body) output = l.OutputShape(output);
        (Conv2d, BatchNorm2d)? downsample = output.SequenceEqual(shape) ? null
            : (new Conv2d(shape[0], output[0], 1, ArchSpec.ProjectionStride(block), 0, bias: false, pool) { NeedsInputGradient = !noInputGradient },
               new BatchNorm2d(output[0], pool: pool));
        return new Residual(body, downsample, pool) { ReluOnOutput = reluOnOutput, NeedsInputGradient = !noInputGradient };
    }

    /// <summary>
    /// Initializes every Linear and Conv2d (layer by layer, weight then bias, from one generator; a res
    /// block's layers in order, then its projection) and resets batch norm. The Kaiming gain is that of
    /// <see cref="ArchSpec.GainActivation"/> (within a block, its layers' activations, else the block's).
    /// </summary>
    public static void Initialize(Sequential network, ModelSpec spec, InitScheme scheme, double std, Rng initRng)
    {
        for (int i = 0; i < network.Layers.Count; i++)
            Initialize(network.Layers[i], spec.Arch.Layers[i], spec.Arch.GainActivation(i), scheme, std, initRng);
    }

    private static void Initialize(Layer layer, LayerSpec l, (Activation Activation, float Slope) gain, InitScheme scheme, double std, Rng initRng)
    {
        switch (layer)
        {
            case Linear linear:
                Initializer.Apply(scheme, linear.Weight, linear.Bias, linear.InFeatures, linear.OutFeatures, gain.Activation, gain.Slope, std, initRng);
                break;
            case Conv2d conv:
            {
                int area = conv.KernelSize * conv.KernelSize;
                Initializer.Apply(scheme, conv.Weight, conv.Bias, conv.FanIn, conv.OutChannels * area, gain.Activation, gain.Slope, std, initRng, area);
                break;
            }
            case BatchNormBase bn:
                bn.ResetParameters();
                break;
            case Residual block:
                for (int j = 0; j < block.Body.Count; j++)
                    Initialize(block.Body[j], l.Body[j], ArchSpec.GainActivation(l.Body, j, gain), scheme, std, initRng);
                // The projection is a weighted layer of the block's own place in the network.
                foreach (var d in block.Downsample) Initialize(d, l, gain, scheme, std, initRng);
                break;
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
                total += Count(spec.Arch, l, shape, shapes[i]);
                shape = shapes[i];
            }
        }
        return total;
    }

    /// <summary>The parameters of layer <paramref name="l"/> from <paramref name="input"/> to <paramref name="output"/> per sample (checked arithmetic).</summary>
    private static long Count(ArchSpec arch, LayerSpec l, int[] input, int[] output) => checked(l.Kind switch
    {
        LayerKind.Dense => (long)input[0] * output[0] + output[0],
        LayerKind.Conv => (long)l.Channels * input[0] * l.KernelSize * l.KernelSize + (l.Bias ? l.Channels : 0),
        LayerKind.BatchNorm => 2L * input[0],
        // The block's layers, and its projection (1x1 conv without bias, batch norm) when the shape changes.
        LayerKind.Res => CountBlock(arch, l, input) + (output.SequenceEqual(input) ? 0 : (long)input[0] * output[0] + 2L * output[0]),
        _ => 0,
    });

    private static long CountBlock(ArchSpec arch, LayerSpec block, int[] shape)
    {
        long total = 0;
        foreach (var l in block.Body)
        {
            var output = arch.OutputShape(l, shape, classes: 0);
            total = checked(total + Count(arch, l, shape, output));
            shape = output;
        }
        return total;
    }
}
