using FcnLab.Engine.Training;
using System.Diagnostics;
using FcnLab.Lab.Store;
using Xunit.Abstractions;

namespace FcnLab.Cli.Tests;

/// <summary>A sweep killed with SIGKILL in the middle of a trial finishes when started again, redoing no finished trial.</summary>
public sealed class SweepKillTests(ITestOutputHelper log) : IDisposable
{
    private readonly CliHarness _h = new(train: 1500, test: 100, size: 8, classes: 4);

    public void Dispose() => _h.Dispose();

    [Fact]
    public void KilledMidTrialTheSameCommandFinishesWithEveryTrialCompletedOnce()
    {
        string spec = _h.Path_("kill.yaml");
        File.WriteAllText(spec, $"""
            name: kill
            base: {"{"} data: "{_h.DataDir}", dataset: tiny, hidden: [32], epochs: 25, batch_size: 8, threads: 1 {"}"}
            axes:
              optimizer: [sgd, rmsprop, adam]
              lr: [0.01]
            repeats: 3
            """);
        using var process = StartSweep(spec, _h.StorePath);

        // Wait until at least two trials are final and another is running with an epoch recorded, then SIGKILL.
        var clock = Stopwatch.StartNew();
        List<TrialRecord> before = [];
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            Thread.Sleep(50);
            if (!File.Exists(_h.StorePath)) continue;
            using var store = RunStores.Open(_h.StorePath);
            before = [.. store.ListTrials("kill")];
            var running = before.FirstOrDefault(t => t.Status == RunStatus.Running);
            if (before.Count(t => t.Status.IsFinal()) >= 2 && running != null && store.GetEpochs(running.RunId).Count > 0)
                break;
        }
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
        Assert.True(before.Any(t => t.Status == RunStatus.Running), "the sweep never reached the middle of a trial");
        var killed = before.Single(t => t.Status == RunStatus.Running);
        var finishedBefore = before.Where(t => t.Status == RunStatus.Completed).ToDictionary(t => t.RunId, t => t.FinishedAt);

        var (code, output, err) = _h.Run("sweep", spec, "--store", _h.StorePath);
        Assert.True(code == 0, err + output);
        Assert.Contains("1 taken back from a stopped process", output);
        Assert.Contains($"{killed.TrialId} optimizer={killed.Definition.Point[0].Value} lr=0.01 seed={killed.Definition.Seed} (resuming from its checkpoint)", output);
        Assert.Contains("sweep kill: 9 trials: 9 completed, 0 early-stopped, 0 diverged, 0 failed, 0 not yet run", output);

        using var after = RunStores.Open(_h.StorePath);
        var trials = after.ListTrials("kill");
        Assert.Equal(9, trials.Count);
        Assert.All(trials, t => Assert.Equal(RunStatus.Completed, t.Status));
        // Finished trials were not redone; the killed one ran a second time to completion.
        foreach (var (runId, finishedAt) in finishedBefore)
            Assert.Equal(finishedAt, after.GetTrial(runId)!.FinishedAt);
        Assert.Equal(2, after.GetTrial(killed.RunId)!.Attempts);
        Assert.Equal(25, after.GetEpochs(killed.RunId).Count);

        // The resumed trial is the training an uninterrupted run gives: byte-identical model file.
        var (tc, _, terr) = _h.Train(_h.Path_("straight"), "--hidden", "32", "--epochs", "25", "--batch-size", "8", "--threads", "1",
            "--optimizer", killed.Definition.Point[0].Value, "--lr", "0.01", "--seed", killed.Definition.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(tc == 0, terr);
        Assert.Equal(File.ReadAllBytes(_h.Path_("straight/model.fcnlab")), File.ReadAllBytes(Path.Combine(killed.Definition.RunDir, "model.fcnlab")));

        // And the table has mean ± std over the three repeats.
        var (rc, _, rerr) = _h.Run("report", "kill", "--store", _h.StorePath, "--out", _h.Path_("report"));
        Assert.True(rc == 0, rerr);
        string md = File.ReadAllText(_h.Path_("report/table.md"));
        Assert.Equal(3, md.Split('\n').Count(l => l.StartsWith("| sgd", StringComparison.Ordinal) || l.StartsWith("| rmsprop", StringComparison.Ordinal) || l.StartsWith("| adam", StringComparison.Ordinal)));
        Assert.Contains("±", md);
    }

    [Fact]
    public void KilledTenTimesAtRandomMomentsTheSweepLosesNothingAndEndsWithTheUninterruptedTable()
    {
        string spec = _h.Path_("kills.yaml");
        File.WriteAllText(spec, $"""
            name: kills
            base: {"{"} data: "{_h.DataDir}", dataset: tiny, hidden: [32], epochs: 12, batch_size: 8, threads: 1, dropout: 0.1 {"}"}
            axes:
              optimizer: [sgd, adam]
              lr: [0.01, 0.003]
            repeats: 2
            """);
        // Kill points are seeded and measured in progress (epochs recorded across all trials), not in
        // wall time, so a fast or a loaded machine sees the same ten kills; a random delay of up to
        // 100 ms after each point lands some kills mid-step and some mid-checkpoint.
        var random = new System.Random(20261123);
        var targets = Enumerable.Range(0, 10).Select(_ => random.Next(1, 90)).Order().ToList();
        var completed = new Dictionary<long, DateTime?>();
        int kills = 0, starts = 0, checks = 0;
        foreach (int target in targets)
        {
            using (var process = StartSweep(spec, _h.StorePath))
            {
                starts++;
                while (!process.HasExited && EpochsRecorded("kills") < target) Thread.Sleep(20);
                if (process.WaitForExit(random.Next(0, 100))) break; // the sweep finished before this kill
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                kills++;
            }
            // After every kill: the store passes SQLite's integrity check, no completed trial was lost, changed or duplicated.
            using var store = SqliteRunStore.Open(_h.StorePath);
            Assert.Equal("ok", store.IntegrityCheck());
            var trials = store.ListTrials("kills");
            Assert.Equal(trials.Count, trials.Select(t => t.TrialId).Distinct().Count());
            foreach (var (runId, finishedAt) in completed)
            {
                var t = trials.Single(x => x.RunId == runId);
                Assert.Equal(RunStatus.Completed, t.Status);
                Assert.Equal(finishedAt, t.FinishedAt);
            }
            foreach (var t in trials.Where(t => t.Status == RunStatus.Completed)) completed.TryAdd(t.RunId, t.FinishedAt);
            checks++;
        }
        Assert.True(kills == 10, $"only {kills} kills before the sweep finished");
        int completedWhileKilling = completed.Count;

        var (code, output, err) = _h.Run("sweep", spec, "--store", _h.StorePath, "--quiet");
        Assert.True(code == 0, err + output);
        Assert.Contains("sweep kills: 8 trials: 8 completed", output);

        // The same sweep, never interrupted, in a store of its own: the tables are equal.
        string clean = _h.Path_("clean/fcnlab.db");
        Assert.Equal(0, _h.Run("sweep", spec, "--store", clean, "--quiet").Code);
        Assert.Equal(0, _h.Run("report", "kills", "--store", _h.StorePath, "--out", _h.Path_("killed-report")).Code);
        Assert.Equal(0, _h.Run("report", "kills", "--store", clean, "--out", _h.Path_("clean-report")).Code);
        Assert.Equal(File.ReadAllText(_h.Path_("clean-report/table.csv")), File.ReadAllText(_h.Path_("killed-report/table.csv")));
        Assert.Equal(File.ReadAllText(_h.Path_("clean-report/table.md")), File.ReadAllText(_h.Path_("killed-report/table.md")));
        using var final = RunStores.Open(_h.StorePath);
        int attempts = final.ListTrials("kills").Sum(t => t.Attempts);
        log.WriteLine($"{kills} SIGKILLs over {starts} starts, {checks} store checks, {completedWhileKilling} of 8 trials completed while being killed, {attempts} attempts in all; nothing lost or duplicated; table equal to the uninterrupted run's");
    }

    /// <summary>Epoch rows in the store for the sweep: its progress, read while a child process writes it.</summary>
    private int EpochsRecorded(string sweep)
    {
        if (!File.Exists(_h.StorePath)) return 0;
        using var store = RunStores.Open(_h.StorePath);
        return store.ListTrials(sweep).Sum(t => store.GetEpochs(t.RunId).Count);
    }

    private Process StartSweep(string spec, string store)
    {
        string exe = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "fcnlab.exe" : "fcnlab");
        var start = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "sweep", spec, "--store", store, "--quiet" }) start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
