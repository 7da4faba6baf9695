using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>A parallel job that calls one method of its layer per index (created once, so running it allocates nothing).</summary>
internal sealed class IndexJob(Action<int> body) : IParallelJob
{
    public void Execute(int index) => body(index);
}

internal static class LayerJobs
{
    /// <summary>job.Execute(i) for i in [0, count): on the pool when there is one, else in order on this thread (same results).</summary>
    public static void Run(WorkerPool? pool, IParallelJob job, int count)
    {
        if (pool == null)
        {
            for (int i = 0; i < count; i++) job.Execute(i);
        }
        else
        {
            pool.Run(job, count);
        }
    }

    /// <summary>
    /// Elements per chunk of an elementwise pass (activations): fixed, so each element is computed the
    /// same way on any thread count; tensors of one chunk or less stay on the calling thread.
    /// </summary>
    public const int ElementwiseChunk = 1 << 16;

    /// <summary>job.Execute(c) for each ElementwiseChunk-sized chunk c of <paramref name="length"/> elements, on the pool when there are several.</summary>
    public static void RunElementwise(WorkerPool? pool, IParallelJob job, int length)
    {
        int chunks = (length + ElementwiseChunk - 1) / ElementwiseChunk;
        if (chunks > 1) Run(pool, job, chunks);
        else job.Execute(0);
    }

    /// <summary>Chunk <paramref name="index"/> of a tensor's elements, as cut by <see cref="RunElementwise"/>.</summary>
    public static Span<float> Chunk(Tensor t, int index)
    {
        int start = index * ElementwiseChunk;
        return t.Span.Slice(start, Math.Min(ElementwiseChunk, t.Length - start));
    }

    /// <summary>[start, end) of part <paramref name="index"/> when <paramref name="total"/> items are cut into <paramref name="parts"/> near-equal parts.</summary>
    public static (int Start, int End) Part(int index, int parts, int total) =>
        ((int)((long)total * index / parts), (int)((long)total * (index + 1) / parts));

    public static string Shape(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";
}
