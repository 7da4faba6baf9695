namespace FcnLab.Engine.Models;

/// <summary>
/// A network for a data set: its architecture (parsed once, dense(classes) filled in), the per-sample
/// input shape (an image's [channels, height, width], or [features]) and the class count. Every network
/// is built, initialized, counted, saved and exported from this one description.
/// </summary>
public sealed class ModelSpec
{
    public ModelSpec(ArchSpec arch, int[] inputShape, int classes)
    {
        ArgumentNullException.ThrowIfNull(arch);
        ArgumentNullException.ThrowIfNull(inputShape);
        Arch = arch.WithClasses(classes);
        InputShape = (int[])inputShape.Clone();
        Classes = classes;
    }

    /// <summary>The layers, dense(classes) given <see cref="Classes"/> outputs.</summary>
    public ArchSpec Arch { get; }

    /// <summary>One sample as the data holds it: [channels, height, width] for images (a dense-first network reads it flat), or [features].</summary>
    public int[] InputShape { get; }

    public int Classes { get; }

    /// <summary>The pixels (values) of one sample. Check the shape (<see cref="NetworkBuilder.Validate"/>) first: the product is in int.</summary>
    public int InputFeatures => InputShape.Aggregate(1, (a, b) => a * b);

    /// <summary>The per-sample shape the network takes: <see cref="InputShape"/>, flat when the first layer is dense.</summary>
    public int[] NetworkInputShape => Arch.NetworkInputShape(InputShape);

    /// <summary>
    /// True when a model of <paramref name="other"/> can start this one (--init-from): the same input
    /// shape, classes and layers, but for dropout probabilities and leaky-relu slopes (they shape
    /// training, not the weights).
    /// </summary>
    public bool SameArchitecture(ModelSpec other)
    {
        ArgumentNullException.ThrowIfNull(other);
        static LayerSpec Weights(LayerSpec l) => l with { DropoutP = 0, NegativeSlope = 0, Position = 0, Length = 0, Body = [.. l.Body.Select(Weights)] };
        return InputShape.SequenceEqual(other.InputShape) && Classes == other.Classes
            && Arch.Layers.Select(Weights).SequenceEqual(other.Arch.Layers.Select(Weights));
    }

    /// <summary>For messages: the dense shorthand's widths and activation ("784-1200-10 relu batch-norm"), else the spec's text in quotes.</summary>
    public string Describe() => Arch.Shorthand is { } d ? d.Describe(InputFeatures, Classes) : $"\"{Arch.Text}\"";

    public override string ToString() => $"{Arch.Text} on [{string.Join(", ", InputShape)}]";
}
