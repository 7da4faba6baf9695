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

    /// <summary>[start, end) of part <paramref name="index"/> when <paramref name="total"/> items are cut into <paramref name="parts"/> near-equal parts.</summary>
    public static (int Start, int End) Part(int index, int parts, int total) =>
        ((int)((long)total * index / parts), (int)((long)total * (index + 1) / parts));

    public static string Shape(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";
}
