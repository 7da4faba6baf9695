
namespace FcnLab.Engine.Models;

/// <summary>The flag spellings of <see cref="Models.Activation"/>, used by the CLI, config.json and the model file alike.</summary>
public static class Names
{
    public static string Activation(Activation a) => a switch
    {
        Models.Activation.ReLU => "relu",
        Models.Activation.Sigmoid => "sigmoid",
        Models.Activation.Tanh => "tanh",
        Models.Activation.LeakyReLU => "leaky-relu",
        _ => throw new ArgumentOutOfRangeException(nameof(a)),
    };

    public static Activation ParseActivation(string s) => s.Trim().ToLowerInvariant() switch
    {
        "relu" => Models.Activation.ReLU,
        "sigmoid" => Models.Activation.Sigmoid,
        "tanh" => Models.Activation.Tanh,
        "leaky-relu" or "leaky_relu" or "leakyrelu" => Models.Activation.LeakyReLU,
        _ => throw new FcnLabException($"Unknown activation '{s}'. Allowed: relu, sigmoid, tanh, leaky-relu."),
    };
}
