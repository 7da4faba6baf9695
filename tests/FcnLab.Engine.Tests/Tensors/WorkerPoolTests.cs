using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Tests.Tensors;

public class WorkerPoolTests
{
    private sealed class Squares(int[] output) : IParallelJob
    {
        public void Execute(int index) => output[index] = index * index;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void EveryIndexRunsExactlyOnce_ManyJobsInARow(int threads)
    {
        using var pool = new WorkerPool(threads);
        for (int round = 0; round < 2000; round++)
        {
            int n = 1 + round % 37;
            var output = new int[n];
            Array.Fill(output, -1);
            pool.Run(new Squares(output), n);
            for (int i = 0; i < n; i++) Assert.Equal(i * i, output[i]);
        }
    }

    /// <summary>Counts executions per index; reused across runs, as Gemm reuses its jobs.</summary>
    private sealed class Counter : IParallelJob
    {
        public readonly int[] Hits = new int[64];

        public void Execute(int index)
        {
            Interlocked.Increment(ref Hits[index]);
            // Uneven work, so workers finish (and wake) at different times.
            if (index % 7 == 0) Thread.SpinWait(200 * (index % 3 + 1));
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void ReusedJob_NoIndexRunsLateOrTwice(int threads)
    {
        // More threads than cores here, so workers get descheduled mid-run: a worker that wakes late
        // must neither run an index of a finished job nor miss or double one of the current job.
        using var pool = new WorkerPool(threads);
        var job = new Counter();
        for (int round = 0; round < 3000; round++)
        {
            int n = 1 + round * 7 % 64;
            pool.Run(job, n);
            for (int i = 0; i < job.Hits.Length; i++)
            {
                int expected = i < n ? 1 : 0;
                if (Volatile.Read(ref job.Hits[i]) != expected)
                    Assert.Fail($"Round {round}: index {i} ran {job.Hits[i]} times, expected {expected}.");
                job.Hits[i] = 0;
            }
        }
    }
}
