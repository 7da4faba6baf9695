using FcnLab.Engine.Layers;

namespace FcnLab.Engine.Models;

/// <summary>
/// A fully connected network: per hidden layer Linear -> BatchNorm1d (if on) -> activation ->
/// Dropout (if on); then the output Linear. An empty Hidden list is softmax regression.
/// </summary>
public sealed record ModelSpec
{
    public required int[] InputShape { get; init; }
    public required int Classes { get; init; }
    public required int[] Hidden { get; init; }
    public Activation Activation { get; init; } = Activation.ReLU;
    public float LeakySlope { get; init; } = 0.01f;
    public bool BatchNorm { get; init; }
    public float Dropout { get; init; }

    public int InputFeatures => InputShape.Aggregate(1, (a, b) => a * b);
}
