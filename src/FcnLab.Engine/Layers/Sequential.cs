using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>
/// Layers applied in order. Binds every layer's parameters to one <see cref="ParameterSet"/> and
/// tells the first layer that no input gradient is needed.
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
        Layers[0].NeedsInputGradient = false;
        Parameters = new ParameterSet(Layers.SelectMany(l => l.Parameters));
        FuseRelus();
    }

    /// <summary>
    /// A ReLU is applied by its neighbours (the same arithmetic, without a pass over the activations):
    /// max(x, 0) by the Linear or Conv2d before it on its products' output tiles, or by a batch norm
    /// before it on its output rows; the derivative by the Linear after it on its input-gradient
    /// product, or by a MaxPool2d after it, which sends a gradient only where its output is above 0.
    /// The ReLU stays a layer of its own and passes values through.
    /// </summary>
    private void FuseRelus()
    {
        for (int i = 0; i < Layers.Count; i++)
        {
            if (Layers[i] is not ReLU relu) continue;
            switch (i > 0 ? Layers[i - 1] : null)
            {
                case Linear before: before.ReluOnOutput = relu.AppliedByPrevious = true; break;
                case Conv2d before: before.ReluOnOutput = relu.AppliedByPrevious = true; break;
                case BatchNorm1d before: before.ReluOnOutput = relu.AppliedByPrevious = true; break;
                case BatchNorm2d before: before.ReluOnOutput = relu.AppliedByPrevious = true; break;
            }
            if (!relu.NeedsInputGradient) continue;
            switch (i + 1 < Layers.Count ? Layers[i + 1] : null)
            {
                case Linear after: after.ReluOnInput = relu.DerivativeAppliedByNext = true; break;
                case MaxPool2d after: after.ReluOnInput = relu.DerivativeAppliedByNext = true; break;
            }
        }
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
