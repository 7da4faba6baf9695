namespace FcnLab.Engine.Layers;

/// <summary>The hidden-layer nonlinearities (one layer type each).</summary>
public enum Activation
{
    ReLU,
    Sigmoid,
    Tanh,
    LeakyReLU,
}
