using FcnLab.Engine.Data;
using FcnLab.Engine.Init;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Models;

/// <summary>Turns a <see cref="ModelSpec"/> into a <see cref="Sequential"/> network and initializes it.</summary>
public static class NetworkBuilder
{
    /// <summary>
    /// Per hidden layer: Linear -> BatchNorm1d (if on) -> activation -> Dropout (if on); then the
    /// output Linear. Parameters are zero until <see cref="Initialize"/> (or a model file) fills them.
    /// </summary>
    public static Sequential Build(ModelSpec spec, Gemm gemm, Rng dropoutRng)
    {
        Validate(spec);
        if (spec.Arch != null) return ArchSpec.Parse(spec.Arch).Build(spec.InputShape, spec.Classes, gemm, dropoutRng);
        var layers = new List<Layer>();
        int features = spec.InputFeatures;
        foreach (int width in spec.Hidden)
        {
            layers.Add(new Linear(features, width, gemm));
            if (spec.BatchNorm) layers.Add(new BatchNorm1d(width, pool: gemm.Pool));
            layers.Add(spec.Activation switch
            {
                Activation.ReLU => new ReLU(gemm.Pool),
                Activation.Sigmoid => new Sigmoid(gemm.Pool),
                Activation.Tanh => new Tanh(gemm.Pool),
                Activation.LeakyReLU => new LeakyReLU(spec.LeakySlope, gemm.Pool),
                _ => throw new FcnLabException($"Unknown activation {spec.Activation}."),
            });
            if (spec.Dropout > 0) layers.Add(new Dropout(spec.Dropout, dropoutRng));
            features = width;
        }
        layers.Add(new Linear(features, spec.Classes, gemm));
        return new Sequential([spec.InputFeatures], layers);
    }

    /// <summary>
    /// Initializes every Linear and Conv2d (layer by layer, weight then bias, from one generator) and
    /// resets batch norm. The Kaiming gain is the dense shorthand's activation; in an architecture spec,
    /// that of the activation after the layer (for the output layer, the one before it; ReLU if none).
    /// </summary>
    public static void Initialize(Sequential network, ModelSpec spec, InitScheme scheme, double std, Rng initRng)
    {
        for (int i = 0; i < network.Layers.Count; i++)
        {
            var (activation, slope) = spec.Arch == null ? (spec.Activation, spec.LeakySlope) : ActivationFor(network.Layers, i);
            switch (network.Layers[i])
            {
                case Linear linear:
                    Initializer.Apply(scheme, linear.Weight, linear.Bias, linear.InFeatures, linear.OutFeatures, activation, slope, std, initRng);
                    break;
                case Conv2d conv:
                    int area = conv.KernelSize * conv.KernelSize;
                    Initializer.Apply(scheme, conv.Weight, conv.Bias, conv.FanIn, conv.OutChannels * area, activation, slope, std, initRng, area);
                    break;
                case BatchNormBase bn:
                    bn.ResetParameters();
                    break;
            }
        }
    }

    /// <summary>The activation after layer <paramref name="index"/> (before the next weighted layer), else the nearest one before it, else ReLU.</summary>
    private static (Activation, float) ActivationFor(IReadOnlyList<Layer> layers, int index)
    {
        for (int j = index + 1; j < layers.Count && layers[j] is not (Linear or Conv2d); j++)
            if (ActivationOf(layers[j]) is { } after) return after;
        for (int j = index - 1; j >= 0; j--)
            if (ActivationOf(layers[j]) is { } before) return before;
        return (Activation.ReLU, 0f);
    }

    private static (Activation, float)? ActivationOf(Layer layer) => layer switch
    {
        ReLU => (Activation.ReLU, 0f),
        LeakyReLU l => (Activation.LeakyReLU, l.NegativeSlope),
        Tanh => (Activation.Tanh, 0f),
        Sigmoid => (Activation.Sigmoid, 0f),
        _ => null,
    };

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
        if (spec.Arch == null)
        {
            foreach (int width in spec.Hidden)
                if (width < 1)
                    throw new FcnLabException($"--hidden widths must be positive integers (got {width}).");
            if (!(spec.Dropout >= 0 && spec.Dropout < 1))
                throw new FcnLabException($"--dropout must be in [0, 1) (got {spec.Dropout}).");
            if (!(spec.LeakySlope >= 0) || float.IsInfinity(spec.LeakySlope))
                throw new FcnLabException($"--leaky-slope must be a finite number >= 0 (got {spec.LeakySlope}).");
        }
        // Counted without building (for --arch this also checks every layer fits the one before it).
        long parameters;
        try { parameters = CountParameters(spec); }
        catch (OverflowException) { parameters = long.MaxValue; }
        // Parameters, gradients and optimizer state each live in one flat buffer of at most 2^31 - 1 floats.
        if (parameters > int.MaxValue)
            throw new FcnLabException($"The network has {(parameters == long.MaxValue ? "far more than" : parameters.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))} parameters; FcnLab holds at most {int.MaxValue:N0} (8 GB of float32) in one model. Use narrower layers.");
    }

    /// <summary>Number of learnable parameters of a spec, without building it.</summary>
    /// <exception cref="OverflowException">For a spec far too large to build (a damaged model file's, say).</exception>
    public static long CountParameters(ModelSpec spec)
    {
        if (spec.Arch != null) return ArchSpec.Parse(spec.Arch).CountParameters(spec.InputShape, spec.Classes);
        checked
        {
            long total = 0;
            int features = spec.InputFeatures;
            foreach (int width in spec.Hidden)
            {
                total += (long)features * width + width;
                if (spec.BatchNorm) total += 2L * width;
                features = width;
            }
            return total + (long)features * spec.Classes + spec.Classes;
        }
    }
}
