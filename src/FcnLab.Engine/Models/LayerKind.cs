namespace FcnLab.Engine.Models;

/// <summary>The layer kinds an architecture spec can name.</summary>
public enum LayerKind
{
    Conv,
    Dense,
    MaxPool,
    AvgPool,
    BatchNorm,
    Dropout,
    Flatten,
    ReLU,
    Tanh,
    Sigmoid,
    LeakyReLU,
    /// <summary>Global average pooling (gap): [C, H, W] -> [C].</summary>
    Gap,
    /// <summary>A residual block, res(LAYERS...): its body's output plus its input (projected when the shapes differ).</summary>
    Res,
}
