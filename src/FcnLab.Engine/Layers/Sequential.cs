using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>
/// Layers applied in order, as they were built (Models.NetworkBuilder builds the first
/// layer without an input gradient and decides which ReLUs their neighbours apply). Binds every
/// layer's parameters to one <see cref="ParameterSet"/>.
/// </summary>
public sealed class Sequential
{
    private readonly ViewCache _inputViews = new();
    private readonly int[] _batchInputShape; // [batch, ...InputShape], batch filled in per call

    public IReadOnlyList<Layer> Layers { get; }
    public ParameterSet Parameters { get; }
    public int[] InputShape { get; }
    public int[] OutputShape { get; }

    public Sequential(int[] inputShape, IEnumerable<Layer> layers)
    {
        Layers = layers.ToArray();
        if (Layers.Count == 0) throw new FcnLabException("A network needs at least one layer.");
        InputShape = (int[])inputShape.Clone();
        _batchInputShape = [0, .. InputShape];
        var shape = InputShape;
        foreach (var layer in Layers) shape = layer.OutputShape(shape);
        OutputShape = shape;
        Parameters = new ParameterSet(Layers.SelectMany(l => l.Parameters));
    }

    /// <summary>All non-learnable state (running statistics) with names prefixed by layer index, PyTorch style ("1.running_mean").</summary>
    public IEnumerable<(string Name, Tensor Value)> Buffers()
    {
        for (int i = 0; i < Layers.Count; i++)
            foreach (var (name, value) in Layers[i].Buffers)
                yield return ($"{i}.{name}", value);
    }

    /// <param name="input">[batch, ...InputShape], or [batch, features] with the same values per sample (read row-major as InputShape).</param>
    public Tensor Forward(Tensor input, bool training)
    {
        var x = input;
        if (input.Rank != InputShape.Length + 1)
        {
            // Data sets hand over flat rows; an image network needs [batch, channels, height, width].
            if (input.RowSize != Tensor.SizeOf(InputShape) || input.Length != input.Rows * input.RowSize)
                throw new FcnLabException($"The network takes samples of shape {LayerJobs.Shape(InputShape)} ({Tensor.SizeOf(InputShape)} values) but got a tensor of shape {LayerJobs.Shape(input.Shape)}.");
            x = _inputViews.Of(input, _batchInputShape);
        }
        for (int i = 0; i < Layers.Count; i++) x = Layers[i].Forward(x, training);
        return x;
    }

    /// <summary>Backward through all layers, accumulating parameter gradients; call Parameters.ZeroGrad() first.</summary>
    public void Backward(Tensor gradOutput)
    {
        Tensor? g = gradOutput;
        for (int i = Layers.Count - 1; i >= 0 && g != null; i--) g = Layers[i].Backward(g);
    }

    public string Describe() => string.Join(" -> ", Layers.Select(l => l.Describe()));
}
