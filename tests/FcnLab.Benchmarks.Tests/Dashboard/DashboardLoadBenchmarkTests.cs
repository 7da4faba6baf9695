using FcnLab.Benchmarks.Dashboard;
using FcnLab.Engine.Training;
using FcnLab.Lab.Store;

namespace FcnLab.Benchmarks.Tests.Dashboard;

/// <summary>The dashboard load benchmark on a scratch SQLite store: it fills to the count asked, no further, and times whole requests.</summary>
public sealed class DashboardLoadBenchmarkTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fcnlab-bench-dashboard-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Fill_AddsCompletedRunsUpToTheCount_AndMeasureTimesEachRequest()
    {
        string location = Path.Combine(_dir, "fcnlab.db");
        using (var store = RunStores.Open(location))
        {
            Assert.Equal(250, DashboardLoadBenchmark.Fill(store, 250));
            Assert.Equal(0, DashboardLoadBenchmark.Fill(store, 250));
            var trials = store.ListTrials();
            Assert.Equal(250, trials.Count);
            Assert.All(trials, t => Assert.Equal(RunStatus.Completed, t.Status));
            Assert.Equal(3, trials.Select(t => t.Sweep).Distinct().Count());
        }
        var times = await DashboardLoadBenchmark.Measure(location, "/?sort=test", 3);
        Assert.Equal(3, times.Count);
        Assert.All(times, ms => Assert.True(ms > 0));
    }
}
