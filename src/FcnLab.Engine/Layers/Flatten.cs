using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>
/// [batch, ...] -> [batch, product of the rest] (PyTorch's nn.Flatten). No copy: the output is a
/// view of the input, and the input gradient a view of the output gradient.
/// </summary>
public sealed class Flatten : Layer
{
    private readonly ViewCache _outputs = new(), _gradInputs = new();
    private readonly int[] _flatShape = [0, 0];
    private Tensor? _input;

    public override string Describe() => "Flatten(start_dim=1, end_dim=-1)";

    public override int[] OutputShape(int[] inputShape) => [Tensor.SizeOf(inputShape)];

    // x [B, C, H, W] -> y [B, C*H*W] (the same memory)
    public override Tensor Forward(Tensor input, bool training)
    {
        if (input.Rank < 1)
            throw new FcnLabException("Flatten got a tensor without a batch dimension; it needs [batch, ...].");
        _input = input;
        _flatShape[1] = input.RowSize;
        return _outputs.Of(input, _flatShape);
    }

    // dx = dy viewed in the input's shape
    public override Tensor? Backward(Tensor gradOutput)
    {
        var x = _input ?? throw new InvalidOperationException("Flatten: Backward called before Forward.");
        if (gradOutput.Rank != 2 || gradOutput.Rows != x.Rows || gradOutput.Length != x.Length)
            throw new FcnLabException($"Flatten got an output gradient of shape {LayerJobs.Shape(gradOutput.Shape)}; it needs [{x.Rows}, {x.RowSize}] to match the last Forward.");
        if (!NeedsInputGradient) return null;
        return _gradInputs.Of(gradOutput, x.Shape);
    }
}
