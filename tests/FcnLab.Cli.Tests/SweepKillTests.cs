using System.Diagnostics;
using FcnLab.Lab.Store;

namespace FcnLab.Cli.Tests;

/// <summary>A sweep killed with SIGKILL in the middle of a trial finishes when started again, redoing no finished trial.</summary>
public sealed class SweepKillTests : IDisposable
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
        string exe = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "fcnlab.exe" : "fcnlab");
        var start = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "sweep", spec, "--store", _h.StorePath, "--quiet" }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Wait until at least two trials are final and another is running with an epoch recorded, then SIGKILL.
        var clock = Stopwatch.StartNew();
        List<TrialRecord> before = [];
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            Thread.Sleep(50);
            if (!File.Exists(_h.StorePath)) continue;
            using var store = RunStores.Open(_h.StorePath);
            before = [.. store.ListTrials("kill")];
            var running = before.FirstOrDefault(t => t.Status == TrialStatus.Running);
            if (before.Count(t => TrialStatus.IsFinal(t.Status)) >= 2 && running != null && store.GetEpochs(running.RunId).Count > 0)
                break;
        }
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
        Assert.True(before.Any(t => t.Status == TrialStatus.Running), "the sweep never reached the middle of a trial");
        var killed = before.Single(t => t.Status == TrialStatus.Running);
        var finishedBefore = before.Where(t => t.Status == TrialStatus.Completed).ToDictionary(t => t.RunId, t => t.FinishedAt);

        var (code, output, err) = _h.Run("sweep", spec, "--store", _h.StorePath);
        Assert.True(code == 0, err + output);
        Assert.Contains("1 taken back from a stopped process", output);
        Assert.Contains($"{killed.TrialId} optimizer={killed.Definition.Point[0].Value} lr=0.01 seed={killed.Definition.Seed} (resuming from its checkpoint)", output);
        Assert.Contains("sweep kill: 9 trials: 9 completed, 0 early-stopped, 0 diverged, 0 failed, 0 not yet run", output);

        using var after = RunStores.Open(_h.StorePath);
        var trials = after.ListTrials("kill");
        Assert.Equal(9, trials.Count);
        Assert.All(trials, t => Assert.Equal(TrialStatus.Completed, t.Status));
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
}
