using System.Diagnostics;
using FcnLab.Engine.Tests.Training;
using FcnLab.Lab.Runs;

namespace FcnLab.Cli.Tests.Faults;

/// <summary>Issue 14, point 2: no run is overwritten or shared.</summary>
public sealed class RunDirectoryClaimTests : IDisposable
{
    private readonly CliHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public void OutNamingAFinishedRun_IsRefusedAndTheRunKept_UnlessOverwrite()
    {
        string run = _h.Path_("run");
        Assert.Equal(0, _h.Train(run, "--epochs", "1").Code);
        byte[] model = File.ReadAllBytes(Path.Combine(run, "model.fcnlab"));

        var (code, _, err) = _h.Train(run, "--epochs", "2");
        Assert.Equal(2, code);
        FileFaultTests.AssertOneErrorLine(err, $"--out {run} already holds a run; give a new directory, or add --overwrite");
        Assert.Equal(model, File.ReadAllBytes(Path.Combine(run, "model.fcnlab")));

        var again = _h.Train(run, "--epochs", "2", "--overwrite");
        Assert.True(again.Code == 0, again.Err);
        Assert.NotEqual(model, File.ReadAllBytes(Path.Combine(run, "model.fcnlab")));
        Assert.False(File.Exists(Path.Combine(run, RunDirectoryLock.FileName)));
    }

    [Fact]
    public void OutNamingADirectoryOfOtherFiles_OrAFile_IsRefused()
    {
        string other = _h.Path_("photos");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "cat.png"), "meow");
        var (code, _, err) = _h.Train(other);
        Assert.Equal(2, code);
        FileFaultTests.AssertOneErrorLine(err, "already holds files");

        var file = _h.Train(Path.Combine(other, "cat.png"));
        Assert.Equal(2, file.Code);
        FileFaultTests.AssertOneErrorLine(file.Err, "is a file; give the path of a directory");
        Assert.Equal("meow", File.ReadAllText(Path.Combine(other, "cat.png")));
    }

    [Fact]
    public void TwoResumesOfOneRun_OneTrainsAndTheOtherIsRefusedWithTheHoldersPidAndHost()
    {
        string run = _h.Path_("run");
        Assert.Equal(0, _h.Train(run, "--epochs", "1", "--hidden", "64").Code);
        using var first = new FcnlabProcess("train", "--resume", run, "--epochs", "200", "--store", _h.StorePath);
        try
        {
            WaitUntilLocked(Path.Combine(run, RunDirectoryLock.FileName));
            var (code, _, err) = _h.Run("train", "--resume", run, "--epochs", "3");
            Assert.Equal(2, code);
            FileFaultTests.AssertOneErrorLine(err, $"(pid {first.Id} on host {Environment.MachineName}, since ");
        }
        finally
        {
            first.Kill();
        }
    }

    [Fact]
    public void TwoTrainsStartedTogetherWithoutOut_GetTwoDirectories()
    {
        string cwd = _h.Path_("work");
        Directory.CreateDirectory(cwd);
        string[] args = ["train", "--data", _h.DataDir, "--dataset", "tiny", "--hidden", "16", "--epochs", "1", "--batch-size", "32", "--threads", "1", "--quiet", "--store", _h.StorePath];
        var processes = Enumerable.Range(0, 3).Select(_ => new FcnlabProcess(args, cwd)).ToList();
        try
        {
            foreach (var p in processes) Assert.True(p.WaitForExit(TimeSpan.FromMinutes(3)), p.Output);
            Assert.All(processes, p => Assert.True(p.ExitCode == 0, p.Output));
        }
        finally
        {
            foreach (var p in processes) p.Dispose();
        }
        var dirs = Directory.GetDirectories(Path.Combine(cwd, "runs"));
        Assert.Equal(3, dirs.Length);
        Assert.All(dirs, d => Assert.True(File.Exists(Path.Combine(d, "model.fcnlab")), d));
        // Each directory holds exactly one run: the config of one process only.
        Assert.All(dirs, d => Assert.False(File.Exists(Path.Combine(d, RunDirectoryLock.FileName))));
    }

    private static void WaitUntilLocked(string lockFile)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                using var probe = new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                return;
            }
            Thread.Sleep(50);
        }
        Assert.Fail($"{lockFile} was never locked");
    }
}
