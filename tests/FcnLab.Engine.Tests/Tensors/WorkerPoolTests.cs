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
}
