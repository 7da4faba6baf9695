using FcnLab.Engine.Training;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using FcnLab.Lab.Store;
using FcnLab.Lab.Tests.Store;
using Xunit.Abstractions;

namespace FcnLab.Cli.Tests;

/// <summary>
/// One sweep on many workers through a real PostgreSQL store: `fcnlab sweep --submit-only` records it,
/// `fcnlab worker` processes train it. Every trial completes exactly once, killed workers lose nothing, and
/// the report equals the one-machine SQLite run's.
/// </summary>
public sealed partial class WorkerTests(PostgresDatabase database, ITestOutputHelper log) : IClassFixture<PostgresDatabase>, IDisposable
{
    private readonly CliHarness _h = new(train: 240, test: 60, size: 8, classes: 4);

    public void Dispose() => _h.Dispose();

    private string Store => PostgresTestServer.Url(database.ConnectionString);

    [GeneratedRegex(@"^worker (\S+): trial ([0-9a-f]{12}) of sweep (\S+) (completed|failed|diverged|early-stopped|taken over)", RegexOptions.Multiline)]
    private static partial Regex Finished();

    /// <summary>The trials each worker's output says it finished: (worker, trial id, outcome).</summary>
    private static List<(string Worker, string Trial, string Outcome)> FinishedLines(string output) =>
        Finished().Matches(output).Select(m => (m.Groups[1].Value, m.Groups[2].Value, m.Groups[4].Value)).ToList();

    /// <summary>A grid of 3 optimizers x 2 learning rates x 4 repeats = 24 trials.</summary>
    private string WriteSpec(string name, int epochs, int hidden, string? dataDir = null)
    {
        string spec = _h.Path_(name + ".yaml");
        File.WriteAllText(spec, $"""
            name: {name}
            base: {"{"} data: "{dataDir ?? _h.DataDir}", dataset: tiny, hidden: [{hidden}], epochs: {epochs}, batch_size: 8, threads: 1 {"}"}
            axes:
              optimizer: [sgd, adam, rmsprop]
              lr: [0.01, 0.003]
            repeats: 4
            """);
        return spec;
    }

    /// <summary>Starts worker processes; with <paramref name="asOtherMachines"/> each is named as if on a host of its own (node1, node2, ...).</summary>
    private List<FcnlabProcess> StartWorkers(int count, string sweep, string artifacts, double graceSeconds, bool asOtherMachines = false) =>
        Enumerable.Range(1, count).Select(i => new FcnlabProcess([
            "worker", "--store", Store, "--sweep", sweep, "--exit-when-idle", "--grace-seconds", graceSeconds.ToString(CultureInfo.InvariantCulture),
            "--artifacts", artifacts, "--threads", "1", .. asOtherMachines ? new[] { "--worker-name", $"node{i}" } : []])).ToList();

    private void WaitAll(IEnumerable<FcnlabProcess> workers, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        foreach (var w in workers)
        {
            var left = timeout - clock.Elapsed;
            Assert.True(w.WaitForExit(left > TimeSpan.Zero ? left : TimeSpan.Zero), $"worker {w.Id} did not exit within {timeout}:\n{w.Output}");
        }
    }

    [PostgresFact]
    public void FourWorkers_CompleteEveryTrialExactlyOnce_AndTheReportEqualsTheSqliteRun()
    {
        string spec = WriteSpec("grid", epochs: 3, hidden: 16);
        string artifacts = _h.Path_("shared");
        var (sc, submitted, serr) = _h.Run("sweep", spec, "--store", Store, "--submit-only", "--artifacts", artifacts);
        Assert.True(sc == 0, serr + submitted);
        Assert.Contains("sweep grid: 24 trials recorded (24 new, 24 pending, 0 final)", submitted);

        var clock = Stopwatch.StartNew();
        // A grace far above the heartbeat interval: no worker here dies, and none may look dead on a busy machine.
        var workers = StartWorkers(4, "grid", artifacts, graceSeconds: 10);
        try
        {
            WaitAll(workers, TimeSpan.FromSeconds(180));
        }
        finally
        {
            foreach (var w in workers) w.Dispose();
        }
        log.WriteLine($"4 workers, 24 trials: {clock.Elapsed.TotalSeconds:F1} s");
        Assert.All(workers, w => Assert.True(w.ExitCode == 0, w.Output));

        // Each trial finished once, by one worker, as the workers' own logs tell.
        var finished = workers.SelectMany(w => FinishedLines(w.Output)).ToList();
        Assert.All(finished, f => Assert.Equal("completed", f.Outcome));
        Assert.Equal(24, finished.Count);
        Assert.Equal(24, finished.Select(f => f.Trial).Distinct().Count());
        var perWorker = finished.GroupBy(f => f.Worker).ToDictionary(g => g.Key, g => g.Count());
        log.WriteLine("trials per worker: " + string.Join(", ", perWorker.Values));
        Assert.True(perWorker.Count >= 2, "only one worker trained anything: " + string.Join(", ", perWorker));

        using (var store = RunStores.Open(Store))
        {
            var trials = store.ListTrials("grid");
            Assert.Equal(24, trials.Count);
            Assert.All(trials, t => Assert.Equal(RunStatus.Completed, t.Status));
            Assert.All(trials, t => Assert.Equal(1, t.Attempts));
            Assert.All(trials, t => Assert.Equal(3, store.GetEpochs(t.RunId).Count));
            Assert.Equal(finished.Select(f => f.Trial).Order(), trials.Select(t => t.TrialId).Order());
            // Run directories are under --artifacts, as the workers saw it.
            Assert.All(trials, t => Assert.True(File.Exists(Path.Combine(artifacts, "grid", t.TrialId, "model.fcnlab")), t.TrialId));
        }

        var (tc, status, terr) = _h.Run("status", "grid", "--store", Store);
        Assert.True(tc == 0, terr);
        Assert.Contains("sweep grid: 24 trials: 0 pending, 0 running, 24 completed, 0 early-stopped, 0 diverged, 0 failed", status);
        Assert.Contains("every trial is final", status);

        // The same sweep on one machine with SQLite gives the same report, to the byte.
        string sqlite = _h.Path_("local/fcnlab.db");
        var (lc, lout, lerr) = _h.Run("sweep", spec, "--store", sqlite, "--quiet");
        Assert.True(lc == 0, lerr + lout);
        Assert.Equal(0, _h.Run("report", "grid", "--store", Store, "--artifacts", artifacts, "--out", _h.Path_("pg-report")).Code);
        Assert.Equal(0, _h.Run("report", "grid", "--store", sqlite, "--out", _h.Path_("sqlite-report")).Code);
        Assert.Equal(File.ReadAllText(_h.Path_("sqlite-report/table.csv")), File.ReadAllText(_h.Path_("pg-report/table.csv")));
        Assert.Equal(File.ReadAllText(_h.Path_("sqlite-report/table.md")), File.ReadAllText(_h.Path_("pg-report/table.md")));
        Assert.Equal(6, File.ReadAllLines(_h.Path_("pg-report/table.csv")).Length - 1);
    }

    [PostgresFact]
    public void TwoWorkersKilledMidTrial_LoseNothing_TheirTrialsAreTakenBackAndCompletedOnce()
    {
        // Longer trials (more data, more epochs), so the kills land in the middle of one.
        using var h = new CliHarness(train: 1200, test: 60, size: 8, classes: 4);
        string spec = WriteSpec("kill", epochs: 12, hidden: 32, h.DataDir);
        string artifacts = _h.Path_("shared");
        Assert.Equal(0, _h.Run("sweep", spec, "--store", Store, "--submit-only", "--artifacts", artifacts).Code);

        const double Grace = 3;
        var clock = Stopwatch.StartNew();
        // Named as on other machines, so only the stale heartbeat (not a dead process id on this host) tells they died.
        var workers = StartWorkers(4, "kill", artifacts, Grace, asOtherMachines: true);
        var killed = new List<(FcnlabProcess Worker, TrialRecord Trial)>();
        try
        {
            // Wait until two workers each hold a trial early in its training, with an epoch recorded and its
            // checkpoint saved (an epoch is reported just before its checkpoint is written), then SIGKILL both at once.
            // The trials killed are those the dead workers still hold afterwards (their state is frozen then).
            using (var store = RunStores.Open(Store))
            {
                while (clock.Elapsed < TimeSpan.FromSeconds(120) && killed.Count < 2)
                {
                    Thread.Sleep(20);
                    var midTrial = store.ListTrials("kill")
                        .Where(t => t.Status == RunStatus.Running && store.GetEpochs(t.RunId).Count is > 0 and <= 8
                            && File.Exists(Path.Combine(artifacts, "kill", t.TrialId, "checkpoint.fcnlab")))
                        .Select(t => (Worker: workers.Single(w => t.Owner!.EndsWith(":" + w.Id.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)), t.Owner))
                        .Take(2).ToList();
                    if (midTrial.Count < 2) continue;
                    // Freeze both first (SIGSTOP), then look again: on a busy machine a worker may have finished its trial
                    // and claimed a fresh one since the look above. Kill only a pair still mid-trial; else let them go on.
                    foreach (var (worker, _) in midTrial) Signal("STOP", worker.Id);
                    var running = store.ListTrials("kill").Where(t => t.Status == RunStatus.Running).ToList();
                    var held = midTrial.Select(m => (m.Worker, Trial: running.SingleOrDefault(t => t.Owner == m.Owner)))
                        .Where(h => h.Trial != null && store.GetEpochs(h.Trial.RunId).Count > 0
                            && File.Exists(Path.Combine(artifacts, "kill", h.Trial.TrialId, "checkpoint.fcnlab")))
                        .Select(h => (h.Worker, h.Trial!)).ToList();
                    if (held.Count < 2)
                    {
                        foreach (var (worker, _) in midTrial) Signal("CONT", worker.Id);
                        continue;
                    }
                    foreach (var (worker, _) in midTrial) worker.Kill();
                    killed.AddRange(held);
                }
            }
            Assert.True(killed.Count == 2, "two workers never held a trial in mid-training at once");
            WaitAll(workers.Except(killed.Select(k => k.Worker)), TimeSpan.FromSeconds(180));
        }
        finally
        {
            foreach (var w in workers) w.Dispose();
        }
        log.WriteLine($"4 workers, 2 SIGKILLed, 24 trials: {clock.Elapsed.TotalSeconds:F1} s");
        var survivors = workers.Except(killed.Select(k => k.Worker)).ToList();
        Assert.All(survivors, w => Assert.True(w.ExitCode == 0, w.Output));

        using var after = RunStores.Open(Store);
        var trials = after.ListTrials("kill");
        Assert.Equal(24, trials.Count);
        Assert.All(trials, t => Assert.Equal(RunStatus.Completed, t.Status));
        Assert.DoesNotContain(trials, t => t.Status == RunStatus.Running);
        Assert.All(trials, t => Assert.Equal(12, after.GetEpochs(t.RunId).Count));
        string survivorLogs = string.Join("\n", survivors.Select(w => w.Output));
        foreach (var (worker, trial) in killed)
        {
            var now = after.GetTrial(trial.RunId)!;
            // Taken back after the grace period and finished by a survivor from the killed attempt's checkpoint
            // (a third attempt only if a survivor, starved on a busy machine, missed its own heartbeats).
            Assert.True(now.Attempts >= 2, $"trial {trial.TrialId}: {now.Attempts} attempts");
            Assert.Contains(survivors, w => now.Owner!.EndsWith(":" + w.Id.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
            Assert.Contains($"took back trial {trial.TrialId} of sweep kill", survivorLogs);
            Assert.Matches($@"trial {trial.TrialId} of sweep kill started \([^)]*attempt 2\), resuming from its checkpoint", survivorLogs);
            Assert.True(now.FinishedAt - trial.Heartbeat >= TimeSpan.FromSeconds(Grace), "taken back before the grace period ended");
        }
        // Completed once: every trial has exactly one "completed" line across all the workers' logs, killed ones included.
        var completed = workers.SelectMany(w => FinishedLines(w.Output)).Where(f => f.Outcome == "completed").ToList();
        Assert.Equal(24, completed.Count);
        Assert.Equal(24, completed.Select(f => f.Trial).Distinct().Count());
    }

    [PostgresFact]
    public void AWorkerWithoutASweep_ServesEverySweep_TakesBackAStaleTrial_AndPassesOverASpecItCannotRead()
    {
        string artifacts = _h.Path_("any");
        foreach (string name in new[] { "alpha", "beta" })
        {
            string spec = _h.Path_(name + ".yaml");
            File.WriteAllText(spec, $$"""
                name: {{name}}
                base: { data: "{{_h.DataDir}}", dataset: tiny, hidden: [8], epochs: 1, batch_size: 32, threads: 1 }
                axes:
                  lr: [0.1, 0.01]
                """);
            Assert.Equal(0, _h.Run("sweep", spec, "--store", Store, "--submit-only", "--artifacts", artifacts).Code);
        }
        long stale;
        using (var store = RunStores.Open(Store))
        {
            store.SaveSweep("bogus", "name: bogus\n"); // no axes: not a spec any worker can expand
            stale = store.ClaimNext("alpha", "far-host:1")!.RunId;
        }
        Thread.Sleep(1200);

        var (sc, status, _) = _h.Run("status", "alpha", "--store", Store, "--grace-seconds", "1");
        Assert.Equal(0, sc);
        Assert.Contains("sweep alpha: 2 trials: 1 pending, 1 running, 0 completed", status);
        Assert.Matches(@"run \d+ trial [0-9a-f]{12} \(lr=[0-9.]+ seed=1\) held by far-host:1 since .*, last heartbeat [0-9.]+ s ago, attempt 1  STALE", status);
        Assert.Contains("throughput: no trial has finished yet; 2 trials left", status);

        var (wc, output, werr) = _h.Run("worker", "--store", Store, "--exit-when-idle", "--grace-seconds", "1", "--artifacts", artifacts);
        Assert.True(wc == 0, werr + output);
        Assert.Contains("serving every sweep of postgres://", output);
        Assert.Contains("passing over sweep bogus: ", output);
        Assert.Contains("took back trial ", output);
        Assert.Contains("done: trained 4 trials: 4 completed", output);
        using (var store = RunStores.Open(Store))
        {
            Assert.All(store.ListTrials("alpha").Concat(store.ListTrials("beta")), t => Assert.Equal(RunStatus.Completed, t.Status));
            Assert.Equal(2, store.GetTrial(stale)!.Attempts);
        }
        var (_, done, _) = _h.Run("status", "alpha", "--store", Store);
        Assert.Contains("sweep alpha: 2 trials: 0 pending, 0 running, 2 completed", done);
        Assert.Matches(@"throughput: [0-9.]+ trials/hour \([0-9.]+ per minute\) so far; every trial is final", done);
    }

    [PostgresFact]
    public void ASpecChangedAfterSubmitting_WorkersTrainOnlyTheCurrentSpecsTrials()
    {
        string spec = _h.Path_("changed.yaml");
        string artifacts = _h.Path_("changed-runs");
        void Submit(string lrs)
        {
            File.WriteAllText(spec, $$"""
                name: changed
                base: { data: "{{_h.DataDir}}", dataset: tiny, hidden: [8], epochs: 1, batch_size: 32, threads: 1 }
                axes:
                  lr: [{{lrs}}]
                """);
            Assert.Equal(0, _h.Run("sweep", spec, "--store", Store, "--submit-only", "--artifacts", artifacts).Code);
        }
        Submit("0.1, 0.05");
        Submit("0.1, 0.01"); // keeps lr=0.05 in the store, no longer in the spec

        var (code, output, err) = _h.Run("worker", "--store", Store, "--sweep", "changed", "--exit-when-idle", "--artifacts", artifacts);
        Assert.True(code == 0, err + output);
        Assert.Contains("done: trained 2 trials: 2 completed", output);
        using var store = RunStores.Open(Store);
        var byLr = store.ListTrials("changed").ToDictionary(t => t.Definition.Point.Single().Value, t => t.Status);
        Assert.Equal(RunStatus.Completed, byLr["0.1"]);
        Assert.Equal(RunStatus.Completed, byLr["0.01"]);
        Assert.Equal(RunStatus.Pending, byLr["0.05"]);
    }

    [PostgresFact]
    public void APasswordInTheStoreUrl_AppearsInNoOutputRunDirectoryOrLog()
    {
        const string Secret = "Zq7-Secret-Pw-4417";
        string store = PostgresTestServer.Url(database.ConnectionString, password: Secret);
        string spec = _h.Path_("secret.yaml");
        File.WriteAllText(spec, $"""
            name: secret
            base: {"{"} data: "{_h.DataDir}", dataset: tiny, hidden: [8], epochs: 2, batch_size: 32, threads: 1 {"}"}
            axes:
              lr: [0.1, 0.01]
            """);
        string artifacts = _h.Path_("artifacts");
        var outputs = new List<(int Code, string Out, string Err)>
        {
            _h.Run("sweep", spec, "--store", store, "--submit-only", "--artifacts", artifacts),
            _h.Run("worker", "--store", store, "--sweep", "secret", "--exit-when-idle", "--artifacts", artifacts),
            _h.Run("status", "secret", "--store", store),
            _h.Run("runs", "--store", store, "--sweep", "secret"),
            _h.Run("report", "secret", "--store", store, "--artifacts", artifacts),
            _h.Run("sweep", spec, "--store", store, "--artifacts", artifacts),
            _h.Train(_h.Path_("train-run"), "--store", store),
        };
        using (var s = RunStores.Open(store))
            outputs.Add(_h.Run("show", s.ListTrials("secret")[0].TrialId, "--store", store));
        // A server that is not there: tried again for --store-timeout, then the error names the store, still without the password.
        var unreachable = _h.Run("runs", "--store", $"postgres://postgres:{Secret}@127.0.0.1:1/nowhere", "--store-timeout", "1");
        Assert.Equal(2, unreachable.Code);
        Assert.Contains("postgres://postgres@127.0.0.1:1/nowhere", unreachable.Err);
        Assert.Contains("tried again for 1 s; wait longer with --store-timeout SECONDS", unreachable.Err);
        outputs.Add(unreachable);

        Assert.All(outputs.Take(outputs.Count - 1), o => Assert.True(o.Code == 0, o.Err + o.Out));
        Assert.Contains("postgres://postgres@", outputs[1].Out);
        Assert.All(outputs, o => Assert.DoesNotContain(Secret, o.Out + o.Err));
        var files = Directory.GetFiles(artifacts, "*", SearchOption.AllDirectories).Concat(Directory.GetFiles(_h.Path_("train-run"), "*", SearchOption.AllDirectories)).ToList();
        Assert.Contains(files, f => Path.GetFileName(f) == "config.json");
        Assert.Contains(files, f => Path.GetFileName(f) == "report.html");
        Assert.All(files, f => Assert.False(File.ReadAllText(f).Contains(Secret, StringComparison.Ordinal), f));
        Assert.Null(PostgresTestServer.Scalar(database.ConnectionString,
            $"SELECT run_id FROM trials WHERE config_json LIKE '%{Secret}%' OR run_dir LIKE '%{Secret}%' OR coalesce(error, '') LIKE '%{Secret}%' LIMIT 1"));
    }

    /// <summary>Sends SIGname to a process (kill -NAME pid).</summary>
    private static void Signal(string name, int pid)
    {
        using var p = Process.Start(new ProcessStartInfo("kill", [$"-{name}", pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }
}
