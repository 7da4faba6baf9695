using System.Text.Json;
using FcnLab.Engine.Tests.Training;
using FcnLab.Engine.Training;
using FcnLab.Lab.Store;

namespace FcnLab.Cli.Tests;

public class ResumeCommandTests
{
    private static readonly string[] Recipe = ["--batch-norm", "--dropout", "0.2", "--optimizer", "adam", "--lr", "0.01"];

    /// <summary>Issue 14, point 7: `train --resume` records into the store the run was recorded in (its checkpoint names it), not the default one.</summary>
    [Fact]
    public void AResumeWithoutStore_RecordsIntoTheRunsOwnStore_WhereverItIsRun()
    {
        using var cli = new CliHarness();
        string own = cli.Path_(Path.Combine("elsewhere", "own.db")), run = cli.Path_("run");
        Assert.Equal(0, cli.Train(run, "--epochs", "1", "--store", own).Code);
        string cwd = Directory.CreateDirectory(cli.Path_("cwd")).FullName;
        using (var resume = new FcnlabProcess(["train", "--resume", run, "--epochs", "2", "--quiet"], workingDirectory: cwd))
        {
            Assert.True(resume.WaitForExit(TimeSpan.FromSeconds(120)), resume.Output);
            Assert.True(resume.ExitCode == 0, resume.Output);
        }
        Assert.False(File.Exists(Path.Combine(cwd, "runs", "fcnlab.db")), "the resume was recorded in the default store");
        using (var store = RunStores.Open(own))
        {
            var row = Assert.Single(store.ListTrials());
            Assert.Equal((RunStatus.Completed, 2), (row.Status, row.Summary!.EpochsRun));
        }

        // --store still names another store.
        string other = cli.Path_("other.db");
        Assert.Equal(0, cli.Run("train", "--resume", run, "--epochs", "3", "--store", other).Code);
        using (var store = RunStores.Open(other))
            Assert.Equal(3, Assert.Single(store.ListTrials()).Summary!.EpochsRun);
    }

    [Fact]
    public void ARunOf2Epochs_ResumedTo4_EqualsARunOf4_AndTheResumeIsLogged()
    {
        using var cli = new CliHarness();
        string two = cli.Path_("two"), four = cli.Path_("four");
        Assert.Equal(0, cli.Train(four, [.. Recipe, "--epochs", "4"]).Code);
        Assert.Equal(0, cli.Train(two, [.. Recipe, "--epochs", "2"]).Code);

        var (code, output, err) = cli.Run("train", "--resume", two, "--epochs", "4", "--threads", "1");
        Assert.True(code == 0, err + output);
        Assert.Contains("Resumed at epoch 3, step 0", output);
        Assert.Contains("epoch   4/4", output);
        RunComparison.AssertSameRun(four, two);

        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(two, "config.json")));
        Assert.Equal(4, config.RootElement.GetProperty("epochs").GetInt32());
        // --threads is how this process trains, not a setting of the run: config.json keeps the run's own (2), the resume records its own (1).
        Assert.Equal(2, config.RootElement.GetProperty("threads").GetInt32());
        var resume = Assert.Single(config.RootElement.GetProperty("resumes").EnumerateArray());
        Assert.Equal((3, 0, 4, 1), (resume.GetProperty("epoch").GetInt32(), resume.GetProperty("step").GetInt32(), resume.GetProperty("epochs").GetInt32(), resume.GetProperty("threads").GetInt32()));
    }

    [Fact]
    public void CtrlC_SavesTheCheckpoint_Exits130_AndTheResumedRunEqualsAnUninterruptedOne()
    {
        using var cli = new CliHarness();
        string full = cli.Path_("full"), parts = cli.Path_("parts");
        Assert.Equal(0, cli.Train(full, Recipe).Code);

        using var ctrlC = new CancellationTokenSource();
        ctrlC.Cancel(); // pressed before the first step: the checkpoint holds epoch 1, step 0
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string[] args = ["train", "--data", cli.DataDir, "--dataset", "tiny", "--hidden", "16,12", "--epochs", "3", "--batch-size", "32", "--threads", "2", "--out", parts, "--store", cli.StorePath, .. Recipe];
        Assert.Equal(130, Program.Run(args, stdout, stderr, ctrlC.Token));
        Assert.Contains($"fcnlab train --resume {parts}", stderr.ToString());
        Assert.True(File.Exists(Path.Combine(parts, "checkpoint.fcnlab")));
        Assert.False(File.Exists(Path.Combine(parts, "model.fcnlab")));

        var (code, output, err) = cli.Run("train", "--resume", parts, "--json");
        Assert.True(code == 0, err + output);
        using var doc = JsonDocument.Parse(output); // one JSON document and nothing else
        Assert.Equal(3, doc.RootElement.GetProperty("summary").GetProperty("epochs_run").GetInt32());
        RunComparison.AssertSameRun(full, parts);
    }

    [Theory]
    [InlineData("--lr", "0.5")]
    [InlineData("--batch-norm", null)]
    [InlineData("--out", "elsewhere")]
    [InlineData("--preset", "fast")]
    public void OtherFlags_WithResume_AreRefusedNamingTheFlag(string flag, string? value)
    {
        using var cli = new CliHarness();
        string run = cli.Path_("run");
        Assert.Equal(0, cli.Train(run, "--epochs", "1").Code);
        string[] args = value == null ? ["train", "--resume", run, flag] : ["train", "--resume", run, flag, value];
        var (code, _, err) = cli.Run(args);
        Assert.Equal(2, code);
        Assert.Contains(flag, err);
        Assert.Contains("only --epochs, --threads, --quiet and --json", err);
    }

    [Fact]
    public void Resume_RefusesAMissingOrCorruptCheckpoint_AndAFinishedRun()
    {
        using var cli = new CliHarness();
        Directory.CreateDirectory(cli.Path_("empty"));
        var missing = cli.Run("train", "--resume", cli.Path_("empty"));
        Assert.Equal(2, missing.Code);
        Assert.Contains("holds no checkpoint.fcnlab", missing.Err);

        string run = cli.Path_("run");
        Assert.Equal(0, cli.Train(run, "--epochs", "2").Code);
        var done = cli.Run("train", "--resume", run);
        Assert.Equal(2, done.Code);
        Assert.Contains("already complete with 2 epochs", done.Err);
        Assert.Equal(2, cli.Run("train", "--resume", run, "--epochs", "2").Code);

        string path = Path.Combine(run, "checkpoint.fcnlab");
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var corrupt = cli.Run("train", "--resume", run, "--epochs", "3");
        Assert.Equal(2, corrupt.Code);
        Assert.Contains("checksum does not match", corrupt.Err);
        Assert.DoesNotContain("   at ", corrupt.Err); // a message, not a stack trace
    }
}
