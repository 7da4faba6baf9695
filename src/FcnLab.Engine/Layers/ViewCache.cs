using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>
/// Reshaped views of tensors, kept per batch size and remade only when a different tensor (or shape)
/// comes in: a training step passes the same buffers every time, so it allocates nothing.
/// </summary>
internal sealed class ViewCache
{
    private readonly Dictionary<int, (Tensor Source, Tensor View)> _views = [];

    /// <summary><paramref name="source"/> viewed as <paramref name="shape"/> with its first dimension replaced by the source's rows.</summary>
    public Tensor Of(Tensor source, int[] shape)
    {
        if (_views.TryGetValue(source.Rows, out var cached) && ReferenceEquals(cached.Source, source)
            && cached.View.Shape.AsSpan(1).SequenceEqual(shape.AsSpan(1)))
            return cached.View;
        var full = (int[])shape.Clone();
        full[0] = source.Rows;
        var view = source.Reshape(full);
        _views[source.Rows] = (source, view);
        return view;
    }
}
