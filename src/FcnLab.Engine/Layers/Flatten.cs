using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>
/// [batch, ...] -> [batch, product of the rest] (PyTorch's nn.Flatten). No copy: the output is a
/// view of the input, and the input gradient a view of the output gradient. The views are kept per
/// batch size and remade only when a different tensor comes in, so a training step allocates nothing.
/// </summary>
public sealed class Flatten : Layer
{
    private readonly Dictionary<int, (Tensor Source, Tensor View)> _outputs = [];
    private readonly Dictionary<int, (Tensor Source, Tensor View)> _gradInputs = [];
    private Tensor? _input;

    public override string Describe() => "Flatten(start_dim=1, end_dim=-1)";

    public override int[] OutputShape(int[] inputShape) => [Tensor.SizeOf(inputShape)];

    // x [B, C, H, W] -> y [B, C*H*W] (the same memory)
    public override Tensor Forward(Tensor input, bool training)
    {
        if (input.Rank < 1)
            throw new FcnLabException("Flatten got a tensor without a batch dimension; it needs [batch, ...].");
        _input = input;
        if (Cached(_outputs, input) is { } view) return view;
        return Remember(_outputs, input, input.Reshape(input.Rows, input.RowSize));
    }

    // dx = dy viewed in the input's shape
    public override Tensor? Backward(Tensor gradOutput)
    {
        var x = _input ?? throw new InvalidOperationException("Flatten: Backward called before Forward.");
        if (gradOutput.Rank != 2 || gradOutput.Rows != x.Rows || gradOutput.Length != x.Length)
            throw new FcnLabException($"Flatten got an output gradient of shape {LayerJobs.Shape(gradOutput.Shape)}; it needs [{x.Rows}, {x.RowSize}] to match the last Forward.");
        if (!NeedsInputGradient) return null;
        if (Cached(_gradInputs, gradOutput) is { } view && view.Shape.AsSpan().SequenceEqual(x.Shape)) return view;
        return Remember(_gradInputs, gradOutput, gradOutput.Reshape(x.Shape));
    }

    private static Tensor? Cached(Dictionary<int, (Tensor Source, Tensor View)> views, Tensor source) =>
        views.TryGetValue(source.Rows, out var cached) && ReferenceEquals(cached.Source, source) ? cached.View : null;

    private static Tensor Remember(Dictionary<int, (Tensor Source, Tensor View)> views, Tensor source, Tensor view)
    {
        views[source.Rows] = (source, view);
        return view;
    }
}
