using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using FcnLab.Lab.Tests.Store;
using Xunit.Abstractions;

namespace FcnLab.Cli.Tests.Faults;

/// <summary>
/// Issue 14, point 4: the PostgreSQL server stopped and started again while two processes run a sweep on it, the
/// `fcnlab sweep` command and an `fcnlab worker`. Each says so once on stderr (the connection lost, then back), goes on,
/// and the sweep completes with every trial trained and recorded exactly once. The cluster is the test's own (stopping
/// the shared test server would break the others).
/// </summary>
public sealed partial class PostgresRestartTests(ITestOutputHelper log) : IDisposable
{
    private readonly CliHarness _h = new(train: 240, test: 60, size: 8, classes: 4);

    public void Dispose() => _h.Dispose();

    /// <summary>A trial finished, as the worker (`worker H:P: trial ID of sweep restart completed`) or the sweep (`    ID completed: ...`) says it.</summary>
    [GeneratedRegex(@"^(?:worker \S+: trial |    )([0-9a-f]{12}) (?:of sweep restart )?(completed|failed|diverged|early-stopped|taken over)", RegexOptions.Multiline)]
    private static partial Regex Finished();

    [ClusterFact]
    public void AServerRestartDuringASweepWithAWorker_IsSaidOnceByEach_AndNothingIsLostOrDuplicated_AndTheSweepCompletes()
    {
        using var cluster = PostgresCluster.Start();
        string store = string.Create(CultureInfo.InvariantCulture, $"postgres://postgres@127.0.0.1:{cluster.Port}/postgres");
        string spec = _h.Path_("restart.yaml");
        File.WriteAllText(spec, $"""
            name: restart
            base: {"{"} data: "{_h.DataDir}", dataset: tiny, hidden: [256], epochs: 4, batch_size: 8, threads: 1 {"}"}
            axes:
              optimizer: [sgd, adam]
              lr: [0.01, 0.003]
            repeats: 2
            """);
        var submit = _h.Run("sweep", spec, "--store", store, "--submit-only");
        Assert.True(submit.Code == 0, submit.Err + submit.Out);

        string artifacts = _h.Path_("artifacts");
        string[] common = ["--store", store, "--artifacts", artifacts, "--threads", "1", "--progress-every", "0.05", "--store-timeout", "120"];
        var workers = new List<FcnlabProcess>
        {
            new(["sweep", spec, .. common]),
            new(["worker", "--sweep", "restart", "--exit-when-idle", .. common]),
        };
        try
        {
            // Both workers training (each publishing its progress), then the server goes down for a few seconds.
            var clock = Stopwatch.StartNew();
            while (Count(cluster, "SELECT count(*) FROM trials t JOIN progress p USING (run_id) WHERE t.status = 'running'") < 2)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), "the two workers never trained at once:\n" + string.Join("\n", workers.Select(w => w.Output)));
                Assert.DoesNotContain(workers, w => w.Process.HasExited);
                Thread.Sleep(20);
            }
            cluster.StopServer();
            Thread.Sleep(TimeSpan.FromSeconds(3));
            cluster.StartServer();

            foreach (var w in workers) Assert.True(w.WaitForExit(TimeSpan.FromSeconds(300)), $"worker {w.Id} did not finish:\n{w.Output}");
        }
        finally
        {
            foreach (var w in workers) w.Dispose();
        }
        foreach (var w in workers)
        {
            log.WriteLine(w.Output);
            Assert.True(w.ExitCode == 0, w.Output);
            string who = w == workers[0] ? "sweep restart" : "worker [^ ]+";
            Assert.Single(Regex.Matches(w.Output, $"^{who}: lost the connection to the run store postgres://postgres@127.0.0.1:[0-9]+/postgres \\(.*\\); trying again for up to 120 s", RegexOptions.Multiline));
            Assert.Single(Regex.Matches(w.Output, $"^{who}: the run store postgres://postgres@127.0.0.1:[0-9]+/postgres is back after [0-9.]+ s; going on", RegexOptions.Multiline));
            Assert.DoesNotContain("   at ", w.Output);
            Assert.DoesNotContain("error:", w.Output);
        }

        // Every trial trained and recorded once: completed on its first attempt, finished by exactly one worker.
        Assert.Equal(8, Count(cluster, "SELECT count(*) FROM trials WHERE sweep = 'restart' AND status = 'completed' AND attempts = 1"));
        Assert.Equal(8, Count(cluster, "SELECT count(*) FROM trials"));
        var finished = workers.SelectMany(w => Finished().Matches(w.Output)).Select(m => (Trial: m.Groups[1].Value, Outcome: m.Groups[2].Value)).ToList();
        Assert.Equal(8, finished.Count);
        Assert.Equal(8, finished.Select(f => f.Trial).Distinct().Count());
        Assert.All(finished, f => Assert.Equal("completed", f.Outcome));
        Assert.Equal(8, Directory.GetFiles(Path.Combine(artifacts, "restart"), "model.fcnlab", SearchOption.AllDirectories).Length);
        var report = _h.Run("report", "restart", "--store", store, "--out", _h.Path_("report"));
        Assert.True(report.Code == 0, report.Err);
    }

    private static long Count(PostgresCluster cluster, string sql)
    {
        try
        {
            return Convert.ToInt64(PostgresTestServer.Scalar(cluster.ConnectionString, sql), CultureInfo.InvariantCulture);
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.UndefinedTable)
        {
            return 0; // the schema is not there yet
        }
    }
}

/// <summary>A test that runs a PostgreSQL cluster of its own: skipped, saying why, where none can be made (no postgresql package).</summary>
public sealed class ClusterFactAttribute : FactAttribute
{
    public ClusterFactAttribute()
    {
        if (PostgresCluster.CannotBecause() is { } why)
        {
            Skip = $"SKIPPED: this test runs a PostgreSQL cluster of its own and cannot here: {why}";
            Console.Error.WriteLine(Skip);
        }
    }
}
