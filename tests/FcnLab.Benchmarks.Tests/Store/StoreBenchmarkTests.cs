using FcnLab.Benchmarks.Store;
using FcnLab.Lab.Store;

namespace FcnLab.Benchmarks.Tests.Store;

/// <summary>The store benchmark on a scratch SQLite store: it makes a worker's calls and counts them right.</summary>
public sealed class StoreBenchmarkTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fcnlab-bench-store-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private IRunStore Open() => RunStores.Open(Path.Combine(_dir, "fcnlab.db"));

    [Fact]
    public void Latency_TimesEveryCallOfAWorker()
    {
        var latency = StoreBenchmark.Latency(Open, trials: 10, epochs: 2);
        Assert.Equal(
            [("read sweep", 10), ("take back abandoned", 10), ("claim", 10), ("epoch report", 20), ("heartbeat", 10), ("complete", 10), ("read trial", 10)],
            latency.Costs.Select(c => (c.Operation, c.Count)));
        Assert.All(latency.Costs, c => Assert.True(c.MedianMs > 0 && c.MedianMs <= c.P90Ms));
        Assert.Equal(latency.Costs.Take(3).Sum(c => c.MedianMs), latency.ClaimCycleMs, 9);
        Assert.Equal(latency.Costs[3].MedianMs, latency.EpochReportMs);
    }

    [Fact]
    public void Throughput_CompletesEveryTrial_AndCountsItsTransactions()
    {
        var t = StoreBenchmark.Throughput(Open, clients: 2, trialsPerClient: 5, epochs: 3);
        Assert.Equal((2, 10), (t.Clients, t.Trials));
        // Per trial 5 fixed calls, 3 epoch reports and a heartbeat; per client one last, empty claim cycle of 3.
        Assert.Equal(10 * (5 + 3 + 1) + 2 * 3, t.Transactions);
        Assert.True(t.TransactionsPerSecond > 0);
        using var store = Open();
        var sweep = Assert.Single(store.ListSweeps());
        Assert.StartsWith("bench-store-", sweep.Name);
        var trials = store.ListTrials(sweep.Name);
        Assert.Equal(10, trials.Count);
        Assert.All(trials, r => Assert.Equal(0.88, r.Summary!.TestAccuracy));
    }

    [Fact]
    public void WorkersAtSaturation_IsTheServersRateOverOneWorkersRate()
    {
        // A 60 s trial of 10 epochs with a heartbeat every 5 s: 5 + 10 + 12 = 27 transactions a minute.
        Assert.Equal(1000 / (27 / 60.0), StoreBenchmark.WorkersAtSaturation(1000, 60, 10, 5), 9);
        Assert.Equal(5, StoreBenchmark.HeartbeatSeconds);
    }
}
