namespace FcnLab.Engine.Tests;

/// <summary>Measures what a warm hot loop allocates on the calling thread.</summary>
internal static class Allocations
{
    /// <summary>
    /// Bytes the calling thread allocated running <paramref name="body"/>: the least of up to three
    /// runs. A background GC that overlaps the window can book the unused rest of the thread's
    /// allocation context (under 8 KB) as allocated although nothing was: about one window in ten
    /// while other tests churn the large-object heap, never with DOTNET_gcConcurrent=0. A real
    /// allocation in a warm loop shows in every run.
    /// </summary>
    public static long Measure(Action body)
    {
        long least = long.MaxValue;
        for (int run = 0; run < 3 && least > 0; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            body();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }
}
