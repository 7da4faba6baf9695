using System.Globalization;
using FcnLab.Engine.Layers;

namespace FcnLab.Engine.Models;

/// <summary>
/// The dense shorthand (<c>--hidden</c>, <c>--activation</c>, <c>--leaky-slope</c>, <c>--batch-norm</c>,
/// <c>--dropout</c>): another way to write an architecture. Per hidden width W it is
/// <c>dense(W) [batchnorm] ACTIVATION [dropout(P)]</c>, then <c>dense(classes)</c>; no hidden widths is
/// softmax regression, <c>dense(classes)</c> alone.
/// </summary>
public sealed record DenseShorthand(IReadOnlyList<int> Hidden, Activation Activation, float LeakySlope, bool BatchNorm, float Dropout)
{
    /// <summary>The architecture this shorthand writes; it remembers the shorthand (<see cref="ArchSpec.Shorthand"/>).</summary>
    public ArchSpec ToArchSpec()
    {
        foreach (int width in Hidden)
            if (width < 1)
                throw new FcnLabException($"--hidden widths must be positive integers (got {width}).");
        if (!(Dropout >= 0 && Dropout < 1))
            throw new FcnLabException($"--dropout must be in [0, 1) (got {Dropout}).");
        if (!(LeakySlope >= 0) || float.IsInfinity(LeakySlope))
            throw new FcnLabException($"--leaky-slope must be a finite number >= 0 (got {LeakySlope}).");
        var layers = new List<LayerSpec>();
        foreach (int width in Hidden)
        {
            layers.Add(new LayerSpec { Kind = LayerKind.Dense, Features = width });
            if (BatchNorm) layers.Add(new LayerSpec { Kind = LayerKind.BatchNorm });
            layers.Add(ActivationLayer());
            if (Dropout > 0) layers.Add(new LayerSpec { Kind = LayerKind.Dropout, DropoutP = Widen(Dropout) });
        }
        layers.Add(new LayerSpec { Kind = LayerKind.Dense, Features = LayerSpec.Classes });
        return ArchSpec.FromLayers(layers, shorthand: this);
    }

    /// <summary>The shorthand's activation as a layer.</summary>
    public LayerSpec ActivationLayer() => Activation switch
    {
        Activation.ReLU => new LayerSpec { Kind = LayerKind.ReLU },
        Activation.Sigmoid => new LayerSpec { Kind = LayerKind.Sigmoid },
        Activation.Tanh => new LayerSpec { Kind = LayerKind.Tanh },
        Activation.LeakyReLU => new LayerSpec { Kind = LayerKind.LeakyReLU, NegativeSlope = Widen(LeakySlope) },
        _ => throw new FcnLabException($"Unknown activation {Activation}."),
    };

    /// <summary>
    /// The shorthand that writes <paramref name="layers"/>, when they have its pattern (the same
    /// activation, batch norm and dropout after every hidden dense layer, no dropout(0), a dense layer
    /// last); else null.
    /// </summary>
    public static DenseShorthand? Recognize(IReadOnlyList<LayerSpec> layers)
    {
        var hidden = new List<int>();
        bool? batchNorm = null;
        LayerSpec? activation = null;
        double? dropout = null;
        int i = 0;
        while (i < layers.Count - 1)
        {
            if (layers[i].Kind != LayerKind.Dense) return null;
            hidden.Add(layers[i++].Features);
            bool bn = i < layers.Count && layers[i].Kind == LayerKind.BatchNorm;
            if (bn) i++;
            if (batchNorm is { } b && b != bn) return null;
            batchNorm = bn;
            if (i >= layers.Count || layers[i].Activation == null) return null;
            if (activation != null && (activation.Kind != layers[i].Kind || activation.NegativeSlope != layers[i].NegativeSlope)) return null;
            activation = layers[i++];
            double p = i < layers.Count && layers[i].Kind == LayerKind.Dropout ? layers[i++].DropoutP : 0;
            // The shorthand has no dropout(0) layer, and one p for every hidden layer.
            if (p == 0 && layers[i - 1].Kind == LayerKind.Dropout) return null;
            if (dropout is { } d && d != p) return null;
            dropout = p;
        }
        if (i != layers.Count - 1 || layers[i].Kind != LayerKind.Dense) return null;
        var (kind, slope) = activation?.Activation ?? (Activation.ReLU, 0.01f);
        return new DenseShorthand([.. hidden], kind, kind == Activation.LeakyReLU ? slope : 0.01f, batchNorm ?? false, (float)(dropout ?? 0));
    }

    /// <summary>The widths from input to output, e.g. "784-1200-2000-800-10".</summary>
    public string Widths(int inputFeatures, int classes) => string.Join("-", Hidden.Prepend(inputFeatures).Append(classes));

    /// <summary>E.g. "784-1200-10 relu batch-norm": the widths, the activation and whether batch norm is on.</summary>
    public string Describe(int inputFeatures, int classes) =>
        $"{Widths(inputFeatures, classes)} {Names.Activation(Activation)}{(BatchNorm ? " batch-norm" : "")}";

    /// <summary>The short name for run directories: "1200x2000x800" (with "-bn" for batch norm), or "softmax" for no hidden layer.</summary>
    public string RunName => (Hidden.Count == 0 ? "softmax" : string.Join("x", Hidden)) + (BatchNorm ? "-bn" : "");

    /// <summary>
    /// A setting's float as the double a spec holds: its shortest text read as a double (0.2f is 0.2, not
    /// 0.200000003), so the spec's text is what was written and gives the same float back.
    /// </summary>
    private static double Widen(float value)
    {
        double d = double.Parse(value.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return (float)d == value ? d : value;
    }
}
