using FcnLab.Engine.Init;
using FcnLab.Engine.Layers;

namespace FcnLab.Engine.Models;

/// <summary>The flag spellings of <see cref="Layers.Activation"/>, used by the CLI, config.json and the model file alike.</summary>
public static class Names
{
    public static readonly EnumNames<Activation> Activations = new("activation",
        (Layers.Activation.ReLU, "relu"), (Layers.Activation.Sigmoid, "sigmoid"), (Layers.Activation.Tanh, "tanh"),
        (Layers.Activation.LeakyReLU, "leaky-relu"), (Layers.Activation.LeakyReLU, "leakyrelu"));

    public static string Activation(Activation a) => Activations.Name(a);

    public static Activation ParseActivation(string s) => Activations.Parse(s);
}
