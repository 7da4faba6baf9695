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
}
