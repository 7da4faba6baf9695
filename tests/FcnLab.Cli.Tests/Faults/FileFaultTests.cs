using FcnLab.Engine.Training;
using FcnLab.Lab.Store;

namespace FcnLab.Cli.Tests.Faults;

/// <summary>
/// Issue 14, point 1: the file system refusing (a full disk, a read-only file system, a file where a directory is
/// needed) ends a command with one error line and exit 2, leaves no temp file and no half-written file, keeps the
/// previous checkpoint and model, and records the run failed with the message.
/// </summary>
public sealed class FileFaultTests : IDisposable
{
    private readonly CliHarness _h = new();

    public void Dispose() => _h.Dispose();

    /// <summary>One line starting "error:", with no stack trace and no .NET type name.</summary>
    internal static void AssertOneErrorLine(string err, string says)
    {
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var error = Assert.Single(lines, l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains(says, error);
        Assert.DoesNotContain("   at ", err);
        Assert.DoesNotContain("Exception", err);
        Assert.DoesNotContain("System.", err);
    }

    internal static void AssertNoTempFiles(string dir) =>
        Assert.Empty(Directory.EnumerateFiles(dir, "*.tmp", SearchOption.AllDirectories));

    private TrialRecord LastRun()
    {
        using var store = RunStores.Open(_h.StorePath);
        return store.ListTrials().OrderBy(r => r.RunId).Last();
    }

    /// <summary>A command refused before its run started records nothing: no run is left running.</summary>
    private void AssertNothingRunning()
    {
        if (!File.Exists(_h.StorePath)) return;
        using var store = RunStores.Open(_h.StorePath);
        Assert.DoesNotContain(store.ListTrials(), t => t.Status == RunStatus.Running);
    }

    [Fact]
    public void ARunDirectoryBelowAFile_IsOneErrorLine_AndNothingIsLeftRunning()
    {
        string file = _h.Path_("a-file");
        File.WriteAllText(file, "not a directory");
        var (code, _, err) = _h.Train(Path.Combine(file, "run"));
        Assert.Equal(2, code);
        AssertOneErrorLine(err, $"{file} is a file, not a directory");
        AssertNothingRunning();
    }

    [Fact]
    public void AModelPathThatIsADirectory_IsOneErrorLine_AndTheRunIsRecordedFailed()
    {
        string run = _h.Path_("run");
        Directory.CreateDirectory(Path.Combine(run, "model.fcnlab"));
        var (code, _, err) = _h.Train(run, "--overwrite");
        Assert.Equal(2, code);
        AssertOneErrorLine(err, "model.fcnlab: it is a directory, not a file");
        AssertNoTempFiles(run);
        Assert.Equal(RunStatus.Failed, LastRun().Status);
    }

    [MountFact]
    public void TrainOnAFullDisk_IsOneErrorLine_LeavesNoTempFile_IsRecordedFailed_AndWorksOnceThereIsSpace()
    {
        using var disk = FaultFileSystem.Tmpfs(kilobytes: 64);
        string run = Path.Combine(disk.Path, "run");
        // 64 KiB holds the config and metrics but not a checkpoint of ~1.3 MB.
        var (code, _, err) = _h.Train(run, "--hidden", "512,512", "--epochs", "1");
        Assert.Equal(2, code);
        AssertOneErrorLine(err, "the disk is full");
        AssertNoTempFiles(disk.Path);
        var failed = LastRun();
        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Contains("the disk is full", failed.Error);

        // Free space (a larger file system), and the same command, told it may replace the failed run, completes.
        using var larger = FaultFileSystem.Tmpfs(kilobytes: 16 * 1024);
        var retry = _h.Train(Path.Combine(larger.Path, "run"), "--hidden", "512,512", "--epochs", "1");
        Assert.True(retry.Code == 0, retry.Err);
    }

    [MountFact]
    public void ResumeOnAFullDisk_KeepsThePreviousCheckpointAndModel_AndIsRecordedFailed()
    {
        using var disk = FaultFileSystem.Tmpfs(kilobytes: 2048);
        string run = Path.Combine(disk.Path, "run");
        Assert.Equal(0, _h.Train(run, "--hidden", "256", "--epochs", "1").Code);
        byte[] checkpoint = File.ReadAllBytes(Path.Combine(run, "checkpoint.fcnlab"));
        byte[] model = File.ReadAllBytes(Path.Combine(run, "model.fcnlab"));
        Fill(disk.Path);

        var (code, _, err) = _h.Run("train", "--resume", run, "--epochs", "2");
        Assert.Equal(2, code);
        AssertOneErrorLine(err, "the disk is full");
        File.Delete(Path.Combine(disk.Path, "filler"));
        AssertNoTempFiles(disk.Path);
        Assert.Equal(checkpoint, File.ReadAllBytes(Path.Combine(run, "checkpoint.fcnlab")));
        Assert.Equal(model, File.ReadAllBytes(Path.Combine(run, "model.fcnlab")));
        var failed = LastRun();
        Assert.Equal(RunStatus.Failed, failed.Status);

        // With space again, the resume goes on from the kept checkpoint.
        var resumed = _h.Run("train", "--resume", run, "--epochs", "2");
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Equal(RunStatus.Completed, LastRun().Status);
    }

    [MountFact]
    public void TrainAndReportIntoAReadOnlyFileSystem_AreOneErrorLine()
    {
        string target = _h.Path_("target");
        Directory.CreateDirectory(target);
        using var readOnly = FaultFileSystem.ReadOnlyView(target);

        var train = _h.Train(Path.Combine(readOnly.Path, "run"));
        Assert.Equal(2, train.Code);
        AssertOneErrorLine(train.Err, "the file system is read-only");
        AssertNothingRunning();

        string model = _h.Path_("model-run");
        Assert.Equal(0, _h.Train(model, "--epochs", "1").Code);
        var export = _h.Run("export", "--model", model, "--format", "onnx", "--out", Path.Combine(readOnly.Path, "m.onnx"));
        Assert.Equal(2, export.Code);
        AssertOneErrorLine(export.Err, "the file system is read-only");
        Assert.Empty(Directory.EnumerateFileSystemEntries(target));
    }

    /// <summary>Writes a file until the file system is full.</summary>
    private static void Fill(string dir)
    {
        var block = new byte[4096];
        try
        {
            using var filler = new FileStream(Path.Combine(dir, "filler"), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
            while (true) filler.Write(block);
        }
        catch (IOException)
        {
            // Full.
        }
    }
}
