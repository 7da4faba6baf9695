using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>What a parameter is, for the rules that treat kinds differently (--l2 applies to weights only).</summary>
public enum ParameterKind
{
    Weight,
    Bias,
    BatchNormScale,
    BatchNormShift,
}

/// <summary>
/// A learnable tensor and its gradient. Declared by a layer with a shape; its storage is bound later
/// by <see cref="ParameterSet"/> to views into one flat buffer per model.
/// </summary>
public sealed class Parameter
{
    private Tensor? _value;
    private Tensor? _grad;

    public string Name { get; }
    public int[] Shape { get; }
    public ParameterKind Kind { get; }
    public int Length => Tensor.SizeOf(Shape);

    /// <summary>Offset of this parameter in the model's flat buffers.</summary>
    public int Offset { get; private set; } = -1;

    public Parameter(string name, ParameterKind kind, params int[] shape)
    {
        Name = name;
        Kind = kind;
        Shape = (int[])shape.Clone();
    }

    public Tensor Value => _value ?? throw new InvalidOperationException($"Parameter {Name} is not bound to a ParameterSet yet.");
    public Tensor Grad => _grad ?? throw new InvalidOperationException($"Parameter {Name} is not bound to a ParameterSet yet.");

    internal void Bind(Tensor values, Tensor grads, int offset)
    {
        _value = values.View(offset, Shape);
        _grad = grads.View(offset, Shape);
        Offset = offset;
    }
}
