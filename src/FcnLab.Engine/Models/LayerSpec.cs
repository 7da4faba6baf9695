using System.Globalization;
using FcnLab.Engine.Layers;

namespace FcnLab.Engine.Models;

/// <summary>
/// One layer of an architecture spec, and where it stands in the spec's text (for error messages).
/// Each field belongs to the kinds its comment names and is left at its default by the others.
/// </summary>
public sealed record LayerSpec
{
    /// <summary><see cref="Features"/> of dense(classes): the data set's class count, filled in by <see cref="ArchSpec.WithClasses"/>.</summary>
    public const int Classes = -1;

    public required LayerKind Kind { get; init; }

    /// <summary>dense: output features (or <see cref="Classes"/>).</summary>
    public int Features { get; init; }

    /// <summary>conv: output channels.</summary>
    public int Channels { get; init; }

    /// <summary>conv: the kernel's size; pools: the window's size (square, as PyTorch's kernel_size).</summary>
    public int KernelSize { get; init; }

    /// <summary>conv: 1 by default; pools: the window size by default.</summary>
    public int Stride { get; init; }

    /// <summary>conv and pools: zero padding on every side.</summary>
    public int Padding { get; init; }

    /// <summary>conv: whether it has a bias.</summary>
    public bool Bias { get; init; } = true;

    /// <summary>dropout: the probability of zeroing a value.</summary>
    public double DropoutP { get; init; }

    /// <summary>leaky-relu: the slope for negative inputs.</summary>
    public double NegativeSlope { get; init; }

    /// <summary>res: the block's layers, in order (empty for the other kinds).</summary>
    public IReadOnlyList<LayerSpec> Body { get; init; } = [];

    /// <summary>Character offset and length of the layer in the spec text it was parsed from.</summary>
    public int Position { get; init; }
    public int Length { get; init; }

    /// <summary>The canonical spelling, e.g. "conv(32,3,pad=1)"; defaults are left out.</summary>
    public string Text => Kind switch
    {
        LayerKind.Conv => $"conv({Channels},{KernelSize}{(Stride != 1 ? $",stride={Stride}" : "")}{(Padding != 0 ? $",pad={Padding}" : "")}{(Bias ? "" : ",bias=false")})",
        LayerKind.Dense => Features == Classes ? "dense(classes)" : $"dense({Features})",
        LayerKind.MaxPool or LayerKind.AvgPool =>
            $"{(Kind == LayerKind.MaxPool ? "maxpool" : "avgpool")}({KernelSize}{(Stride != KernelSize ? $",stride={Stride}" : "")}{(Padding != 0 ? $",pad={Padding}" : "")})",
        LayerKind.BatchNorm => "batchnorm",
        LayerKind.Dropout => $"dropout({DropoutP.ToString("R", CultureInfo.InvariantCulture)})",
        LayerKind.Flatten => "flatten",
        LayerKind.ReLU => "relu",
        LayerKind.Tanh => "tanh",
        LayerKind.Sigmoid => "sigmoid",
        LayerKind.LeakyReLU => NegativeSlope == ArchSpec.DefaultLeakySlope ? "leaky-relu" : $"leaky-relu({NegativeSlope.ToString("R", CultureInfo.InvariantCulture)})",
        LayerKind.Gap => "gap",
        LayerKind.Res => $"res({string.Join(" ", Body.Select(l => l.Text))})",
        _ => throw new ArgumentOutOfRangeException(nameof(Kind)),
    };

    /// <summary>The activation this layer is, with its negative slope, for the initializers' gain; null for the other kinds.</summary>
    public (Activation Activation, float NegativeSlope)? Activation => Kind switch
    {
        LayerKind.ReLU => (Layers.Activation.ReLU, 0f),
        LayerKind.LeakyReLU => (Layers.Activation.LeakyReLU, (float)NegativeSlope),
        LayerKind.Tanh => (Layers.Activation.Tanh, 0f),
        LayerKind.Sigmoid => (Layers.Activation.Sigmoid, 0f),
        _ => null,
    };

    /// <summary>True for the layers with weights (dense, conv).</summary>
    public bool IsWeighted => Kind is LayerKind.Dense or LayerKind.Conv;

    // Value equality that compares a res block's layers one by one (a list compares by reference).
    public bool Equals(LayerSpec? other) =>
        other is not null && Kind == other.Kind && Features == other.Features && Channels == other.Channels && KernelSize == other.KernelSize
        && Stride == other.Stride && Padding == other.Padding && Bias == other.Bias && DropoutP.Equals(other.DropoutP)
        && NegativeSlope.Equals(other.NegativeSlope) && Position == other.Position && Length == other.Length && Body.SequenceEqual(other.Body);

    public override int GetHashCode() => HashCode.Combine(Kind, Features, Channels, KernelSize, Stride, Padding, Body.Count, Position);
}
