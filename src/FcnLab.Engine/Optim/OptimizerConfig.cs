namespace FcnLab.Engine.Optim;

/// <summary>
/// Optimizer settings with PyTorch's defaults. WeightDecay has PyTorch's meaning for each optimizer:
/// added to the gradient (SGD, RMSprop, Adam) or decoupled (AdamW), on every parameter.
/// </summary>
public sealed record OptimizerConfig
{
    public OptimizerKind Kind { get; init; } = OptimizerKind.Sgd;
    public double Lr { get; init; } = 0.025;
    public double Momentum { get; init; }
    public bool Nesterov { get; init; }
    public double Eps { get; init; } = 1e-8;
    public double WeightDecay { get; init; }
    /// <summary>RMSprop's smoothing constant.</summary>
    public double Alpha { get; init; } = 0.99;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
}
