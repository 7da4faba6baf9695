using System.Text.RegularExpressions;

namespace FcnLab.Cli.Tests;

public class BenchStoreCommandTests
{
    [Fact]
    public void BenchStore_OnAScratchSqliteStore_PrintsLatencyThroughputAndWorkers()
    {
        using var cli = new CliHarness();
        string store = cli.Path_("scratch.db");
        var (code, output, err) = cli.Run("bench-store", "--store", store, "--trials", "10", "--epochs", "2", "--clients", "1,2");
        Assert.True(code == 0, err + output);
        var lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal(19, lines.Length);
        Assert.Matches($@"^store {Regex.Escape(store)}; \d+ cores here; 10 trials of 2 epochs$", lines[0]);
        Assert.Equal("latency, one client (ms):", lines[1]);
        Assert.Equal("  call                   count   median      p90     mean", lines[2]);
        string[] calls = ["read sweep", "take back abandoned", "claim", "epoch report", "heartbeat", "complete", "read trial"];
        for (int i = 0; i < calls.Length; i++)
            Assert.Matches($@"^  {calls[i],-20} +{(calls[i] == "epoch report" ? 20 : 10)} +\d+\.\d{{3}} +\d+\.\d{{3}} +\d+\.\d{{3}}$", lines[3 + i]);
        Assert.Matches(@"^  a worker's claim \(read sweep \+ take back \+ claim\): \d+\.\d{3} ms median; an epoch report: \d+\.\d{3} ms$", lines[10]);
        Assert.Equal("throughput, concurrent clients each doing a worker's calls with no training between them:", lines[11]);
        // --trials per client count, at least 10 each: 10 and 20 trials of 5 fixed calls, 2 epoch reports and a heartbeat, and one last claim cycle (3) per client.
        Assert.Matches(@"^   1 clients: +10 trials, +83 transactions in +\d+\.\d\d s = +\d+ transactions/s$", lines[12]);
        Assert.Matches(@"^   2 clients: +20 trials, +166 transactions in +\d+\.\d\d s = +\d+ transactions/s$", lines[13]);
        Assert.Matches(@"^workers one server carries at \d+ transactions/s \(heartbeat every 5 s; 2 epochs a trial\):$", lines[14]);
        foreach (var (line, seconds) in lines[15..].Zip(new[] { 10, 60, 120, 600 }))
            Assert.Matches($@"^  trials of {seconds,4} s: +\d+ workers$", line);
        Assert.Equal(2, cli.Run("bench-store", "--store", store, "--trials", "5").Code);
    }
}
