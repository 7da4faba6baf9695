namespace FcnLab.Engine.Models;

public enum Activation
{
    ReLU,
    Sigmoid,
    Tanh,
    LeakyReLU,
}

public enum InitScheme
{
    /// <summary>Exactly PyTorch's nn.Linear default: weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)).</summary>
    Default,
    /// <summary>N(0, std^2) for weights (torch.nn.init.normal_), zero biases.</summary>
    Normal,
    XavierNormal,
    XavierUniform,
    KaimingUniform,
    KaimingNormal,
}

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
