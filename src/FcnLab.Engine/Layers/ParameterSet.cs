using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>
/// All parameters of a model in one flat value buffer and one flat gradient buffer, in declaration
/// order. Each <see cref="Parameter"/> holds views into them: an optimizer step is one pass over a
/// buffer, a checkpoint is one write.
/// </summary>
public sealed class ParameterSet
{
    public IReadOnlyList<Parameter> Parameters { get; }
    public Tensor Values { get; }
    public Tensor Grads { get; }
    public int Count => Values.Length;

    public ParameterSet(IEnumerable<Parameter> parameters)
    {
        Parameters = parameters.ToArray();
        long total = 0;
        foreach (var p in Parameters) total += p.Length;
        if (total > int.MaxValue) throw new FcnLabException($"The model has {total} parameters; at most {int.MaxValue} fit in one buffer.");
        Values = Tensor.Zeros((int)total);
        Grads = Tensor.Zeros((int)total);
        int offset = 0;
        foreach (var p in Parameters)
        {
            p.Bind(Values, Grads, offset);
            offset += p.Length;
        }
    }

    public void ZeroGrad() => Grads.Clear();
}
