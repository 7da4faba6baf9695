using System.Globalization;
using System.Text.Json;
using FcnLab.Engine.Training;
using FcnLab.Lab.Store;

namespace FcnLab.Cli.Tests;

/// <summary>`fcnlab train` through the run lifecycle: its progress in the store while it trains, Ctrl-C, and --resume.</summary>
public class TrainProgressTests
{
    [Fact]
    public async Task ARunningTrain_IsFollowedByShow_CtrlCRecordsItInterrupted_AndResumeGoesOnInItsOwnRow()
    {
        using var cli = new CliHarness();
        string run = cli.Path_("run");
        using var ctrlC = new CancellationTokenSource();
        var stderr = new StringWriter();
        string[] args = ["train", "--data", cli.DataDir, "--dataset", "tiny", "--hidden", "16,12", "--epochs", "100000", "--batch-size", "32", "--threads", "1",
            "--out", run, "--store", cli.StorePath, "--progress-every", "0.02", "--quiet"];
        var training = Task.Run(() => Program.Run(args, new StringWriter(), stderr, ctrlC.Token));

        // Another reader of the store follows it while it trains.
        long runId = WaitFor(() =>
        {
            if (!File.Exists(cli.StorePath)) return null;
            using var store = RunStores.Open(cli.StorePath);
            return store.FindRun(Path.GetFullPath(run)) is { } t && store.GetProgress(t.RunId) is { Position.Epoch: >= 2, Losses.Count: >= 2 } ? t.RunId : (long?)null;
        });
        var (code, shown, err) = cli.Run("show", runId.ToString(CultureInfo.InvariantCulture));
        Assert.True(code == 0, err);
        Assert.Contains("status: running (held by ", shown);
        Assert.Matches(@"progress: epoch \d+/100000, step \d+/7, loss \d\.\d{4}", shown);
        Assert.Contains("left at that pace", shown);
        Assert.Matches(@"loss curve: \d+ points in the store; the latest \d\.\d{4}, the mean of steps \d+-\d+ of epoch \d+", shown);

        ctrlC.Cancel();
        Assert.Equal(130, await training);
        Assert.Contains($"continue with: fcnlab train --resume {run}", stderr.ToString());
        int epochsDone;
        using (var store = RunStores.Open(cli.StorePath))
        {
            var stopped = Assert.Single(store.ListTrials());
            Assert.Equal((runId, RunStatus.Interrupted), (stopped.RunId, stopped.Status));
            Assert.Equal($"interrupted; continue with: fcnlab train --resume {run}", stopped.Error);
            epochsDone = store.GetEpochs(runId).Count;
        }
        (code, shown, _) = cli.Run("show", runId.ToString(CultureInfo.InvariantCulture));
        Assert.Contains("status: interrupted", shown);
        Assert.Contains("note: interrupted; continue with: fcnlab train --resume", shown);
        Assert.Contains("progress: epoch ", shown);
        Assert.DoesNotContain("left at that pace", shown);

        // --resume records into the run's own row: the same run, a second attempt, every epoch in it.
        int total = epochsDone + 2;
        (code, var json, err) = cli.Run("train", "--resume", run, "--epochs", total.ToString(CultureInfo.InvariantCulture), "--json");
        Assert.True(code == 0, err + json);
        using (JsonDocument.Parse(json)) { }
        using (var store = RunStores.Open(cli.StorePath))
        {
            var resumed = Assert.Single(store.ListTrials());
            Assert.Equal((runId, RunStatus.Completed, 2, null), (resumed.RunId, resumed.Status, resumed.Attempts, resumed.Error));
            Assert.Equal(total, resumed.Summary!.EpochsRun);
            Assert.Equal(Enumerable.Range(1, total), store.GetEpochs(runId).Select(e => e.Epoch));
            Assert.Contains($"\"Epochs\":{total}", resumed.Definition.ConfigJson);
            var progress = store.GetProgress(runId)!;
            Assert.Equal((total, 7, 7), (progress.Position.Epoch, progress.Position.Step, progress.Position.Steps));
        }
        Assert.Contains("1 runs in", cli.Run("runs").Out);
    }

    [Fact]
    public void AResumeOfADirectoryTheStoreDoesNotHold_IsRecordedAsANewRun()
    {
        using var cli = new CliHarness();
        string run = cli.Path_("run");
        Assert.Equal(0, cli.Train(run, "--epochs", "2", "--store", cli.Path_("elsewhere.db")).Code);
        var (code, output, err) = cli.Run("train", "--resume", run, "--epochs", "3");
        Assert.True(code == 0, err + output);
        using var store = RunStores.Open(cli.StorePath);
        var resumed = Assert.Single(store.ListTrials());
        Assert.Equal((RunStatus.Completed, 1, Path.GetFullPath(run)), (resumed.Status, resumed.Attempts, resumed.Definition.RunDir));
        // The epochs this process trained; the others are in the store the run began in.
        Assert.Equal([3], store.GetEpochs(resumed.RunId).Select(e => e.Epoch));
    }

    [Theory]
    [InlineData("train", "-1")]
    [InlineData("train", "86401")]
    [InlineData("worker", "-0.5")]
    public void ProgressEvery_OutOfRange_IsBadInput(string command, string seconds)
    {
        using var cli = new CliHarness();
        string[] args = command == "train"
            ? ["train", $"--progress-every={seconds}", "--data", cli.DataDir, "--dataset", "tiny", "--epochs", "1"]
            : ["worker", $"--progress-every={seconds}", "--store", cli.StorePath];
        var (code, _, err) = cli.Run(args);
        Assert.Equal(2, code);
        Assert.Contains($"--progress-every must be from 0 to 86400 seconds (got {seconds})", err);
        Assert.False(File.Exists(cli.StorePath));
    }

    private static T WaitFor<T>(Func<T?> probe) where T : struct
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            if (probe() is { } value) return value;
            Thread.Sleep(20);
        }
        throw new TimeoutException("the run published no progress within 2 minutes");
    }
}
