using FcnLab.Engine.Layers;

namespace FcnLab.Engine.Models;

/// <summary>
/// A network: either an architecture spec (<see cref="Arch"/>, see <see cref="ArchSpec"/>), or the dense
/// shorthand: per hidden layer Linear -> BatchNorm1d (if on) -> activation -> Dropout (if on); then the
/// output Linear. An empty Hidden list is softmax regression.
/// </summary>
public sealed record ModelSpec
{
    public required int[] InputShape { get; init; }
    public required int Classes { get; init; }

    /// <summary>The architecture in <see cref="ArchSpec"/>'s canonical text, its class count filled in; null for the dense shorthand below.</summary>
    public string? Arch { get; init; }

    public required int[] Hidden { get; init; }
    public Activation Activation { get; init; } = Activation.ReLU;
    public float LeakySlope { get; init; } = 0.01f;
    public bool BatchNorm { get; init; }
    public float Dropout { get; init; }

    public int InputFeatures => InputShape.Aggregate(1, (a, b) => a * b);
}
