using FcnLab.Engine.Init;
using FcnLab.Engine.Layers;

namespace FcnLab.Engine.Models;

/// <summary>The flag spellings of <see cref="Layers.Activation"/>, used by the CLI, config.json and the model file alike.</summary>
public static class Names
{
    public static string Activation(Activation a) => a switch
    {
        Layers.Activation.ReLU => "relu",
        Layers.Activation.Sigmoid => "sigmoid",
        Layers.Activation.Tanh => "tanh",
        Layers.Activation.LeakyReLU => "leaky-relu",
        _ => throw new ArgumentOutOfRangeException(nameof(a)),
    };

    public static Activation ParseActivation(string s) => s.Trim().ToLowerInvariant() switch
    {
        "relu" => Layers.Activation.ReLU,
        "sigmoid" => Layers.Activation.Sigmoid,
        "tanh" => Layers.Activation.Tanh,
        "leaky-relu" or "leaky_relu" or "leakyrelu" => Layers.Activation.LeakyReLU,
        _ => throw new FcnLabException($"Unknown activation '{s}'. Allowed: relu, sigmoid, tanh, leaky-relu."),
    };
}
