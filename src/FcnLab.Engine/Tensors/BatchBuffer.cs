namespace FcnLab.Engine.Tensors;

/// <summary>
/// A layer's activation buffer, one tensor per batch size seen (a training run sees at most three:
/// the batch size, the last partial batch and the evaluation batch), allocated on first use so a
/// training step allocates nothing after warm-up.
/// </summary>
public sealed class BatchBuffer
{
    private readonly int[] _sampleShape;
    private readonly Dictionary<int, Tensor> _byBatch = [];

    public BatchBuffer(params int[] sampleShape) => _sampleShape = (int[])sampleShape.Clone();

    public Tensor For(int batch)
    {
        if (!_byBatch.TryGetValue(batch, out var t))
        {
            var shape = new int[_sampleShape.Length + 1];
            shape[0] = batch;
            _sampleShape.CopyTo(shape, 1);
            t = Tensor.Zeros(shape);
            _byBatch[batch] = t;
        }
        return t;
    }
}
