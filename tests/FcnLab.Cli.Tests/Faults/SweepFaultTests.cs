using FcnLab.Engine.Training;
using FcnLab.Lab.Store;

namespace FcnLab.Cli.Tests.Faults;

/// <summary>Issue 14, point 5: failed trials can be retried; what can be checked before a sweep runs is checked; grids are counted first.</summary>
public sealed class SweepFaultTests : IDisposable
{
    private readonly CliHarness _h = new();

    public void Dispose() => _h.Dispose();

    private string Spec(string name, string dataDir, string axes = "lr: [0.01, 0.03]", string hidden = "[8]")
    {
        string spec = _h.Path_(name + ".yaml");
        File.WriteAllText(spec, $"""
            name: {name}
            base: {"{"} data: "{dataDir}", dataset: tiny, hidden: {hidden}, epochs: 1, batch_size: 32, threads: 1 {"}"}
            axes:
              {axes}
            """);
        return spec;
    }

    [Fact]
    public void ADataDirectoryThatDoesNotExist_IsRefusedBeforeAnythingRuns()
    {
        string missing = _h.Path_("no-such-data");
        var (code, output, err) = _h.Run("sweep", Spec("nodata", missing));
        Assert.Equal(2, code);
        FileFaultTests.AssertOneErrorLine(err, $"Sweep 'nodata': the data directory {missing} does not exist");
        Assert.DoesNotContain("[1/2]", output);
        if (File.Exists(_h.StorePath))
        {
            using var store = RunStores.Open(_h.StorePath);
            Assert.Empty(store.ListTrials("nodata"));
        }
    }

    [Fact]
    public void AGridOfMoreThan100000Trials_IsRefusedWithItsSize()
    {
        string values = "[" + string.Join(", ", Enumerable.Range(1, 1000).Select(i => $"0.{i:D4}")) + "]";
        var (code, _, err) = _h.Run("sweep", Spec("huge", _h.DataDir, $"lr: {values}\n  momentum: {values}"));
        Assert.Equal(2, code);
        FileFaultTests.AssertOneErrorLine(err, "Sweep 'huge' makes 1,000,000 trials (1000 lr x 1000 momentum x 1 repeats); at most 100,000 are allowed.");
    }

    [Fact]
    public void FailedTrials_RunAgainWithRetryFailed_InASweepAndInAWorker_OnceTheFaultIsGone()
    {
        // The data set is not there yet: both trials fail (exit 4), and stay failed when the sweep is run again.
        string data = _h.Path_("late-data");
        Directory.CreateDirectory(data);
        string spec = Spec("late", data);
        Assert.Equal(4, _h.Run("sweep", spec).Code);
        var again = _h.Run("sweep", spec);
        Assert.Equal(4, again.Code);
        Assert.Contains("0 completed", again.Out);

        // It arrives; --retry-failed runs both again.
        foreach (string file in Directory.GetFiles(_h.DataDir)) File.Copy(file, Path.Combine(data, Path.GetFileName(file)));
        var (code, output, err) = _h.Run("sweep", spec, "--retry-failed");
        Assert.True(code == 0, err + output);
        Assert.Contains("--retry-failed: 2 failed trials set to run again", output);
        Assert.Contains("sweep late: 2 trials: 2 completed", output);

        // A worker does the same for the sweeps it serves.
        string other = Spec("late2", _h.Path_("late-data-2"));
        Directory.CreateDirectory(_h.Path_("late-data-2"));
        Assert.Equal(4, _h.Run("sweep", other).Code);
        foreach (string file in Directory.GetFiles(_h.DataDir)) File.Copy(file, Path.Combine(_h.Path_("late-data-2"), Path.GetFileName(file)));
        var worker = _h.Run("worker", "--store", _h.StorePath, "--sweep", "late2", "--exit-when-idle", "--retry-failed", "--threads", "1");
        Assert.True(worker.Code == 0, worker.Err + worker.Out);
        Assert.Contains("--retry-failed: 2 failed trials of sweep late2 set to run again", worker.Out);
        using var store = RunStores.Open(_h.StorePath);
        Assert.All(store.ListTrials("late2"), t => Assert.Equal(RunStatus.Completed, t.Status));
    }

    /// <summary>Each trial of a sweep whose run directories lie on a full disk: failed with the message, no temp file left.</summary>
    private void AssertFailedForAFullDisk(string sweep, string disk, string output)
    {
        FileFaultTests.AssertNoTempFiles(disk);
        using var store = RunStores.Open(_h.StorePath);
        var trials = store.ListTrials(sweep);
        Assert.Equal(2, trials.Count);
        Assert.All(trials, t =>
        {
            Assert.Equal(RunStatus.Failed, t.Status);
            Assert.Contains("the disk is full", t.Error);
            Assert.Contains(t.TrialId, output);
            Assert.Contains($"failed: {t.Error}", output);
        });
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("Exception", output);
    }

    [MountFact]
    public void ASweepOnAFullDisk_RecordsEachTrialFailedWithTheMessage_Exits4_AndLeavesNoTempFile()
    {
        // 64 KiB holds a trial's config and metrics but not its checkpoint (~1.3 MB for 512-512); the store lies elsewhere.
        using var disk = FaultFileSystem.Tmpfs(kilobytes: 64);
        var (code, output, err) = _h.Run("sweep", Spec("full", _h.DataDir, hidden: "[512, 512]"), "--store", _h.StorePath, "--artifacts", disk.Path);
        Assert.True(code == 4, err + output);
        Assert.Contains("sweep full: 2 trials: 0 completed, 0 early-stopped, 0 diverged, 2 failed", output);
        AssertFailedForAFullDisk("full", disk.Path, output + err);
    }

    [MountFact]
    public void AWorkerOnAFullDisk_RecordsEachTrialFailedWithTheMessage_Exits4_AndLeavesNoTempFile()
    {
        using var disk = FaultFileSystem.Tmpfs(kilobytes: 64);
        Assert.Equal(0, _h.Run("sweep", Spec("wfull", _h.DataDir, hidden: "[512, 512]"), "--store", _h.StorePath, "--submit-only").Code);
        var (code, output, err) = _h.Run("worker", "--store", _h.StorePath, "--sweep", "wfull", "--exit-when-idle", "--artifacts", disk.Path, "--threads", "1");
        Assert.True(code == 4, err + output);
        Assert.Contains("2 failed", output);
        AssertFailedForAFullDisk("wfull", disk.Path, output + err);
    }

    [Fact]
    public void ARelativeDataDirectory_IsTheSpecFilesNeighbour_WhereverTheSweepIsRun()
    {
        // data: data next to the spec; the command runs from another directory (the README's promise: relative to the spec).
        string spec = _h.Path_("near.yaml");
        File.WriteAllText(spec, """
            name: near
            base: { data: data, dataset: tiny, hidden: [8], epochs: 1, batch_size: 32, threads: 1 }
            axes:
              lr: [0.01, 0.03]
            """);
        string elsewhere = Directory.CreateDirectory(_h.Path_("elsewhere")).FullName;
        using (var sweep = new FcnlabProcess(["sweep", spec, "--store", _h.StorePath], workingDirectory: elsewhere))
        {
            Assert.True(sweep.WaitForExit(TimeSpan.FromSeconds(120)), sweep.Output);
            Assert.True(sweep.ExitCode == 0, sweep.Output);
            Assert.Contains("sweep near: 2 trials: 2 completed", sweep.Output);
        }
        using var store = RunStores.Open(_h.StorePath);
        // Resolved once: the stored spec (what workers and reports expand) and every trial name the full path.
        Assert.Contains(_h.DataDir, store.GetSweep("near")!.SpecText);
        Assert.All(store.ListTrials("near"), t => Assert.Contains(System.Text.Json.JsonSerializer.Serialize(_h.DataDir), t.Definition.ConfigJson));
    }
}
