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

    /// <summary>Zeroes every gradient; with a pool, in fixed chunks on its threads (a memset of tens of MB is worth splitting).</summary>
    public void ZeroGrad(WorkerPool? pool = null)
    {
        int chunks = (Count + ZeroJob.ChunkLength - 1) / ZeroJob.ChunkLength;
        if (pool == null || chunks < 2) Grads.Clear();
        else pool.Run(_zeroJob ??= new ZeroJob(Grads), chunks);
    }

    private ZeroJob? _zeroJob;

    private sealed class ZeroJob(Tensor grads) : IParallelJob
    {
        public const int ChunkLength = 1 << 18;

        public void Execute(int index)
        {
            int start = index * ChunkLength;
            grads.Span.Slice(start, Math.Min(ChunkLength, grads.Length - start)).Clear();
        }
    }
}
