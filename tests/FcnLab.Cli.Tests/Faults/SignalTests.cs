using System.Diagnostics;
using FcnLab.Engine.Tests.Training;
using FcnLab.Engine.Training;
using FcnLab.Lab.Store;

namespace FcnLab.Cli.Tests.Faults;

/// <summary>
/// Issue 14, point 3: SIGTERM and SIGHUP to a real `fcnlab train` or `fcnlab sweep` process do what Ctrl-C does (the
/// checkpoint saved, the run recorded interrupted, the resume command printed, exit 130); the resumed run equals an
/// uninterrupted one; a second signal exits 130 at once with the previous checkpoint whole.
/// </summary>
public sealed class SignalTests : IDisposable
{
    private readonly CliHarness _h = new(train: 1500, test: 100, size: 8, classes: 4);

    public void Dispose() => _h.Dispose();

    private string[] TrainArgs(string run, int epochs) =>
        ["train", "--data", _h.DataDir, "--dataset", "tiny", "--hidden", "256,256", "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
         "--batch-size", "16", "--lr", "0.05", "--threads", "1", "--out", run, "--store", _h.StorePath];

    [Theory]
    [InlineData("TERM")]
    [InlineData("HUP")]
    public void ASignalDuringTrain_SavesTheCheckpoint_RecordsInterrupted_Exits130_AndTheResumedRunEqualsAnUninterruptedOne(string signal)
    {
        string full = _h.Path_("full"), parts = _h.Path_("parts");
        // 100 short epochs (a second or two): long enough that the signal, sent when the first checkpoint appears, lands
        // before the end on a busy machine too.
        var uninterrupted = _h.Run(TrainArgs(full, 100));
        Assert.True(uninterrupted.Code == 0, uninterrupted.Err);

        using (var train = new FcnlabProcess(TrainArgs(parts, 100)))
        {
            WaitFor(() => File.Exists(Path.Combine(parts, "checkpoint.fcnlab")), train);
            Kill(signal, train.Id);
            Assert.True(train.WaitForExit(TimeSpan.FromSeconds(60)), train.Output);
            Assert.True(train.ExitCode == 130, train.Output);
            Assert.Contains($"fcnlab train --resume {parts}", train.Output);
            Assert.DoesNotContain("   at ", train.Output);
        }
        using (var store = RunStores.Open(_h.StorePath))
            Assert.Equal(RunStatus.Interrupted, store.ListTrials().Single(t => t.Definition.RunDir == parts).Status);
        Assert.False(File.Exists(Path.Combine(parts, "model.fcnlab")), "the run finished before the signal: make it longer");

        var resumed = _h.Run("train", "--resume", parts);
        Assert.True(resumed.Code == 0, resumed.Err);
        RunComparison.AssertSameRun(full, parts);
    }

    /// <summary>
    /// A short run of slow-enough steps (a 1024-1024 network, 42 steps an epoch, 3 epochs), so a signal can be sent at
    /// a chosen step; the progress is published at most every 10 ms, which is how the test sees where the run stands.
    /// </summary>
    private string[] SeededArgs(string run) =>
        ["train", "--data", _h.DataDir, "--dataset", "tiny", "--hidden", "1024,1024", "--epochs", "3", "--batch-size", "32", "--lr", "0.05",
         "--momentum", "0.9", "--threads", "1", "--out", run, "--store", _h.StorePath, "--progress-every", "0.01"];

    /// <summary>Steps done by the run recorded in <paramref name="runDir"/> (or the running trial of <paramref name="sweep"/>), as last published; -1 before the first.</summary>
    private long StepsDone(string? runDir = null, string? sweep = null)
    {
        if (!File.Exists(_h.StorePath)) return -1;
        using var store = RunStores.Open(_h.StorePath);
        var run = sweep == null
            ? store.ListTrials().SingleOrDefault(t => t.Definition.RunDir == runDir)
            : store.ListTrials(sweep).SingleOrDefault(t => t.Status == RunStatus.Running);
        if (run == null || store.GetProgress(run.RunId) is not { } p) return -1;
        return (long)(p.Position.Epoch - 1) * p.Position.Steps + p.Position.Step;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void SigtermAtASeededStepOfTrain_ThenResume_EqualsAnUninterruptedRunByteForByte(int seed)
    {
        // Somewhere in the run's 126 steps, away from its very start and end (the step the signal lands on is what the seed chooses; the run stops after it).
        int target = new Random(seed).Next(5, 100);
        string full = _h.Path_("full"), parts = _h.Path_("parts");
        var uninterrupted = _h.Run(SeededArgs(full));
        Assert.True(uninterrupted.Code == 0, uninterrupted.Err);

        using (var train = new FcnlabProcess(SeededArgs(parts)))
        {
            WaitFor(() => StepsDone(runDir: parts) >= target, train);
            Kill("TERM", train.Id);
            Assert.True(train.WaitForExit(TimeSpan.FromSeconds(60)), train.Output);
            Assert.True(train.ExitCode == 130, $"signalled at step {target}: {train.Output}");
        }
        Assert.False(File.Exists(Path.Combine(parts, "model.fcnlab")), $"the run finished before the signal at step {target}");
        var resumed = _h.Run("train", "--resume", parts);
        Assert.True(resumed.Code == 0, resumed.Err);
        RunComparison.AssertSameRun(full, parts);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void SigtermAtASeededStepOfASweep_ThenTheSameCommand_EqualsAnUninterruptedSweepByteForByte(int seed)
    {
        var random = new Random(seed);
        int trial = random.Next(0, 2), target = random.Next(5, 100);
        string Spec(string name)
        {
            string path = _h.Path_(name + ".yaml");
            File.WriteAllText(path, $"""
                name: seeded
                base: {"{"} data: "{_h.DataDir}", dataset: tiny, hidden: [1024, 1024], epochs: 3, batch_size: 32, momentum: 0.9, threads: 1 {"}"}
                axes:
                  lr: [0.05, 0.02]
                """);
            return path;
        }
        string whole = _h.Path_("whole"), parts = _h.Path_("parts");
        var uninterrupted = _h.Run("sweep", Spec("whole"), "--store", Path.Combine(whole, "fcnlab.db"));
        Assert.True(uninterrupted.Code == 0, uninterrupted.Err + uninterrupted.Out);

        string spec = Spec("parts");
        using (var sweep = new FcnlabProcess("sweep", spec, "--store", _h.StorePath, "--progress-every", "0.01"))
        {
            // The signal lands at step `target` of the first or the second trial.
            WaitFor(() =>
            {
                if (!File.Exists(_h.StorePath)) return false;
                using var store = RunStores.Open(_h.StorePath);
                var trials = store.ListTrials("seeded");
                return trials.Count == 2 && trials.Count(t => t.Status == RunStatus.Completed) == trial && StepsDone(sweep: "seeded") >= target;
            }, sweep);
            Kill("TERM", sweep.Id);
            Assert.True(sweep.WaitForExit(TimeSpan.FromSeconds(60)), sweep.Output);
            Assert.True(sweep.ExitCode == 130, $"signalled at step {target} of trial {trial + 1}: {sweep.Output}");
        }
        var again = _h.Run("sweep", spec, "--store", _h.StorePath);
        Assert.True(again.Code == 0, again.Err + again.Out);
        Assert.Contains("sweep seeded: 2 trials: 2 completed", again.Out);
        foreach (string dir in Directory.GetDirectories(Path.Combine(whole, "seeded")))
            RunComparison.AssertSameRun(dir, Path.Combine(Path.GetDirectoryName(_h.StorePath)!, "seeded", Path.GetFileName(dir)));
    }

    [Fact]
    public void ASecondSignal_ExitsAtOnceWith130_LeavingTheCheckpointWhole()
    {
        string run = _h.Path_("run");
        // Large steps (a tenth of a second or more), so the second signal comes while the first still waits for the step in progress.
        string[] slow = [.. TrainArgs(run, 200)];
        slow[Array.IndexOf(slow, "256,256")] = "2048,2048";
        slow[Array.IndexOf(slow, "--batch-size") + 1] = "500";
        using var train = new FcnlabProcess(slow);
        WaitFor(() => File.Exists(Path.Combine(run, "checkpoint.fcnlab")), train);
        Shell($"kill -TERM {train.Id}; sleep 0.05; kill -TERM {train.Id}");
        Assert.True(train.WaitForExit(TimeSpan.FromSeconds(60)), train.Output);
        Assert.True(train.ExitCode == 130, train.Output);
        Assert.Contains("Stopped at once (a second interrupt)", train.Output);
        Assert.DoesNotContain("   at ", train.Output);
        // The checkpoint on disk is a whole one (an earlier epoch's, or the one the first signal saved): it resumes.
        var resumed = _h.Run("train", "--resume", run, "--epochs", "1");
        Assert.DoesNotContain("checkpoint.fcnlab is", resumed.Err);
        Assert.True(Checkpoint.Load(run).State.EpochsDone >= 1);
    }

    [Fact]
    public void SigtermDuringASweep_RecordsTheTrialInterrupted_Exits130_AndTheSameCommandFinishesIt()
    {
        string spec = _h.Path_("sig.yaml");
        File.WriteAllText(spec, $"""
            name: sig
            base: {"{"} data: "{_h.DataDir}", dataset: tiny, hidden: [256, 256], epochs: 8, batch_size: 16, threads: 1 {"}"}
            axes:
              lr: [0.01, 0.03]
            """);
        using (var sweep = new FcnlabProcess("sweep", spec, "--store", _h.StorePath))
        {
            WaitFor(() =>
            {
                if (!File.Exists(_h.StorePath)) return false;
                using var store = RunStores.Open(_h.StorePath);
                return store.ListTrials("sig").Any(t => t.Status == RunStatus.Running && store.GetEpochs(t.RunId).Count > 0);
            }, sweep);
            Kill("TERM", sweep.Id);
            Assert.True(sweep.WaitForExit(TimeSpan.FromSeconds(60)), sweep.Output);
            Assert.True(sweep.ExitCode == 130, sweep.Output);
            Assert.DoesNotContain("   at ", sweep.Output);
        }
        using (var store = RunStores.Open(_h.StorePath))
            Assert.Contains(store.ListTrials("sig"), t => t.Status == RunStatus.Interrupted);

        var (code, output, err) = _h.Run("sweep", spec, "--store", _h.StorePath);
        Assert.True(code == 0, err + output);
        Assert.Contains("sweep sig: 2 trials: 2 completed", output);
    }

    [Fact]
    public void AKilledTrain_IsShownDiedNotRunning_AndItsDirectoryLockDiedWithIt()
    {
        string run = _h.Path_("run");
        using (var train = new FcnlabProcess(TrainArgs(run, 200)))
        {
            WaitFor(() => File.Exists(Path.Combine(run, "checkpoint.fcnlab")), train);
            train.Kill(); // SIGKILL: nothing is recorded, the lock goes with the process
        }
        var runs = _h.Run("runs");
        Assert.Contains($"{RunsCommand.Died}  ", runs.Out);
        Assert.DoesNotContain("  running  ", runs.Out);
        var show = _h.Run("show", run);
        Assert.Contains("status: died (recorded running, but its process", show.Out);

        // One epoch more than the killed run trained (how many depends on when the kill landed).
        int trained = File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length - 1;
        var resumed = _h.Run("train", "--resume", run, "--epochs", (trained + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(resumed.Code == 0, resumed.Err);
    }

    private static void WaitFor(Func<bool> condition, FcnlabProcess process)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (condition()) return;
            Assert.False(process.Process.HasExited, $"fcnlab exited before the moment to signal it:\n{process.Output}");
            Thread.Sleep(20);
        }
        Assert.Fail($"the moment to signal never came:\n{process.Output}");
    }

    /// <summary>
    /// Sends the signal straight through kill(2): no shell to start first, which on a busy test host can take longer than
    /// the short training the signal is meant to land in.
    /// </summary>
    private static void Kill(string signal, int pid)
    {
        int number = signal switch { "TERM" => 15, "HUP" => 1, "INT" => 2, _ => throw new ArgumentException($"no signal {signal}", nameof(signal)) };
        Assert.True(SendSignal(pid, number) == 0, $"kill -{signal} {pid} failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private static void Shell(string command)
    {
        using var p = Process.Start(new ProcessStartInfo("sh", ["-c", command]) { UseShellExecute = false })!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }
}
