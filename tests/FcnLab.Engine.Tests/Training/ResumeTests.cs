using FcnLab.Engine.Data;
using FcnLab.Engine.Optim;
using FcnLab.Engine.Tests.Data;
using FcnLab.Engine.Training;

namespace FcnLab.Engine.Tests.Training;

/// <summary>
/// The resume contract: a run interrupted (Ctrl-C mid-epoch, or stopped at an epoch boundary) and
/// resumed ends byte-identical to the uninterrupted run, whatever the optimizer, schedule, batch norm,
/// dropout, early stopping and thread count. Ctrl-C is simulated by cancelling from the observer at a
/// chosen step, so the interruption point is exact.
/// </summary>
public class ResumeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fcnlab-resume-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }

    // 400 training images, 10% validation: 360 rows, 12 steps of 32 (the last one 8).
    private const int Steps = 12;

    /// <param name="learnable">false: random labels, so the validation loss soon stops improving (early stopping).</param>
    private ImageDataset Data(ulong seed = 11, bool learnable = true) =>
        DatasetCatalog.Load(new DataOptions("tiny", IdxTestFiles.WriteDataset(Path.Combine(_root, $"data{seed}{learnable}"), 400, 100, 8, 8, 4, seed: seed, learnable: learnable)));

    private string Dir(string name) => Path.Combine(_root, name);

    /// <summary>Cancels the token (as Ctrl-C does) once the given step of the given epoch is done.</summary>
    private sealed class CancelAfter(int epoch, int step, CancellationTokenSource cancel) : ITrainingObserver
    {
        public void StepCompleted(int e, int s, int steps, double runningLoss)
        {
            if (e == epoch && s == step) cancel.Cancel();
        }
    }

    private static TrainConfig Config(Dictionary<string, string> settings) =>
        TrainSettings.Apply(new TrainConfig { Hidden = [24, 16], Epochs = 5, BatchSize = 32, Threads = 2 }, settings);

    /// <summary>Interrupts a run after each (epoch, step) in turn, resuming in between, and checks the end equals the uninterrupted run.</summary>
    private void AssertInterruptedAndResumedIsExact(TrainConfig config, params (int Epoch, int Step, int ResumeThreads)[] interruptions) =>
        AssertInterruptedAndResumedIsExact(config, Data(), interruptions);

    private void AssertInterruptedAndResumedIsExact(TrainConfig config, ImageDataset data, params (int Epoch, int Step, int ResumeThreads)[] interruptions) =>
        AssertInterruptedAndResumedIsExact(config, data, null, interruptions);

    /// <param name="beforeResume">Done to the interrupted run directory before each resume (e.g. to damage a file).</param>
    private void AssertInterruptedAndResumedIsExact(TrainConfig config, ImageDataset data, Action<string>? beforeResume, params (int Epoch, int Step, int ResumeThreads)[] interruptions)
    {
        string full = Dir("full"), parts = Dir("parts");
        Trainer.Run(config, data, full, NullObserver.Instance);

        using (var first = new CancellationTokenSource())
        {
            var (epoch, step, _) = interruptions[0];
            Assert.Throws<OperationCanceledException>(() => Trainer.Run(config, data, parts, new CancelAfter(epoch, step, first), first.Token));
        }
        for (int i = 0; i < interruptions.Length; i++)
        {
            var cp = Checkpoint.Load(parts);
            Assert.Equal(RunStatus.Running, cp.Status);
            bool boundary = interruptions[i].Step == Steps;
            Assert.Equal(boundary ? (interruptions[i].Epoch, false, 0) : (interruptions[i].Epoch - 1, true, interruptions[i].Step), (cp.State.EpochsDone, cp.State.InEpoch, cp.State.Step));
            Assert.False(File.Exists(Path.Combine(parts, "model.fcnlab")), "an interrupted run has no model yet");
            Assert.Equal(cp.State.EpochsDone + 1, File.ReadAllLines(Path.Combine(parts, "metrics.csv")).Length);
            // steps.csv reaches exactly the checkpoint's position (its header, then one row per step done).
            Assert.Equal(1 + cp.State.EpochsDone * Steps + cp.State.Step, File.ReadAllLines(Path.Combine(parts, "steps.csv")).Length);
            beforeResume?.Invoke(parts);

            int threads = interruptions[i].ResumeThreads;
            if (i + 1 < interruptions.Length)
            {
                using var next = new CancellationTokenSource();
                var (epoch, step, _) = interruptions[i + 1];
                Assert.Throws<OperationCanceledException>(() => Trainer.Resume(parts, data, new CancelAfter(epoch, step, next), threads: threads, cancel: next.Token));
            }
            else
            {
                Trainer.Resume(parts, data, NullObserver.Instance, threads: threads);
            }
        }
        RunComparison.AssertSameRun(full, parts);
    }

    [Fact]
    public void SgdMomentum_CancelledMidEpoch_ResumesExactly()
    {
        var config = Config(new() { ["optimizer"] = "sgd", ["lr"] = "0.05", ["momentum"] = "0.9", ["nesterov"] = "true", ["weight-decay"] = "0.001" });
        AssertInterruptedAndResumedIsExact(config, (2, 5, 2));
    }

    [Fact]
    public void StepLog_WrittenPastTheCheckpoint_IsCutBackOnResume()
    {
        // A run killed after steps.csv was written but before the checkpoint was leaves rows the
        // checkpoint does not hold: the resumed run redoes those steps and logs them once.
        var config = Config(new() { ["optimizer"] = "sgd", ["lr"] = "0.05", ["momentum"] = "0.9" });
        AssertInterruptedAndResumedIsExact(config, Data(), runDir => File.AppendAllText(Path.Combine(runDir, "steps.csv"), "2,6,9.5,0.05\n2,7,9.5,0.05\n"), (2, 5, 2));
    }

    [Fact]
    public void StepLog_Deleted_ResumedRunLogsFromTheResumePoint()
    {
        var config = Config(new() { ["epochs"] = "2" });
        var data = Data();
        Trainer.Run(config, data, Dir("full"), NullObserver.Instance);
        using (var cancel = new CancellationTokenSource())
            Assert.Throws<OperationCanceledException>(() => Trainer.Run(config, data, Dir("parts"), new CancelAfter(2, 4, cancel), cancel.Token));
        File.Delete(Path.Combine(Dir("parts"), "steps.csv"));
        var notes = new NoteCollector();
        Trainer.Resume(Dir("parts"), data, notes);
        Assert.Contains(notes.Notes, n => n.Contains("steps.csv is missing or does not hold the 16 steps", StringComparison.Ordinal));
        // The rows from epoch 2, step 5 on, equal to the uninterrupted run's.
        var full = File.ReadAllLines(Path.Combine(Dir("full"), "steps.csv"));
        Assert.Equal([full[0], .. full[(1 + Steps + 4)..]], File.ReadAllLines(Path.Combine(Dir("parts"), "steps.csv")));
    }

    private sealed class NoteCollector : ITrainingObserver
    {
        public List<string> Notes { get; } = [];
        public void Note(string message) => Notes.Add(message);
    }

    [Fact]
    public void Adam_StepSchedule_CancelledTwice_ResumedOnOtherThreadCounts_ResumesExactly()
    {
        var config = Config(new() { ["optimizer"] = "adam", ["lr"] = "0.003", ["weight-decay"] = "0.01", ["lr-schedule"] = "step", ["lr-step-size"] = "2", ["lr-gamma"] = "0.5" });
        AssertInterruptedAndResumedIsExact(config, (1, 3, 1), (3, 11, 2));
    }

    [Fact]
    public void BatchNormDropout_PlateauSchedule_StoppedAtAnEpochBoundary_ResumesExactly()
    {
        // Dropout draws from its own generator inside the network: its state must travel in the checkpoint.
        // On random labels the validation loss stalls, so the plateau schedule has cut the rate before the
        // interruption: its state must travel too.
        var config = Config(new()
        {
            ["optimizer"] = "sgd", ["lr"] = "0.05", ["momentum"] = "0.9", ["batch-norm"] = "true", ["dropout"] = "0.3",
            ["lr-schedule"] = "plateau", ["lr-plateau-patience"] = "0", ["lr-factor"] = "0.5", ["l2"] = "0.001", ["clip-grad-norm"] = "2",
            ["epochs"] = "6",
        });
        AssertInterruptedAndResumedIsExact(config, Data(learnable: false), (3, Steps, 1));
        var lrs = RunComparison.MetricsWithoutSeconds(Dir("full")).Skip(1).Select(line => line.Split(',')[5]).ToArray();
        Assert.Equal(["0.05", "0.05", "0.05", "0.025", "0.025", "0.0125"], lrs); // cut after epoch 3, the one before the stop
    }

    [Fact]
    public void BatchNormDropout_CancelledMidEpoch_ResumesExactly()
    {
        var config = Config(new() { ["optimizer"] = "adamw", ["lr"] = "0.003", ["batch-norm"] = "true", ["dropout"] = "0.3", ["restore-best"] = "true" });
        AssertInterruptedAndResumedIsExact(config, (3, 7, 1));
    }

    [Fact]
    public void Cnn_BatchNormDropoutAugment_CancelledMidEpoch_ResumedOnOtherThreads_ResumesExactly()
    {
        // --augment draws from its own generator for every image: its state must travel in the checkpoint.
        var config = Config(new()
        {
            ["arch"] = "conv(4,3,pad=1) batchnorm relu maxpool(2) flatten dropout(0.2) dense(8) relu dense(classes)",
            ["optimizer"] = "adam", ["lr"] = "0.003", ["epochs"] = "3", ["augment"] = "true",
        });
        AssertInterruptedAndResumedIsExact(config, (2, 5, 1));
    }

    [Fact]
    public void RandomCropFlipAndErasing_CancelledMidEpoch_ResumedOnOtherThreads_ResumesExactly()
    {
        var config = Config(new() { ["optimizer"] = "adam", ["lr"] = "0.003", ["epochs"] = "3", ["random-crop"] = "2", ["hflip"] = "0.5", ["random-erasing"] = "0.5" });
        AssertInterruptedAndResumedIsExact(config, (2, 5, 1));
    }

    [Theory]
    [InlineData("onecycle", "0")]
    [InlineData("cosine", "1")]
    public void PerStepRates_CancelledMidEpoch_ResumeExactly(string schedule, string warmup)
    {
        // The rate changes every step: a resumed run must compute each step's rate from its position as the uninterrupted one did.
        var config = Config(new() { ["optimizer"] = "sgd", ["lr"] = "0.05", ["momentum"] = "0.9", ["epochs"] = "3", ["lr-schedule"] = schedule, ["warmup-epochs"] = warmup });
        AssertInterruptedAndResumedIsExact(config, (1, 3, 1), (2, 5, 1));
    }

    [Fact]
    public void ResidualNetwork_OneEpochThenResumedForOne_IsTheTwoEpochRun_AlsoMidEpochOnOtherThreads()
    {
        // Res blocks with and without a projection: their weights, batch norm statistics and optimizer state travel in the checkpoint.
        var config = Config(new()
        {
            ["arch"] = "conv(4,3,pad=1) batchnorm relu res(conv(6,3,stride=2,pad=1) batchnorm relu conv(6,3,pad=1) batchnorm) relu "
                + "res(conv(6,3,pad=1) batchnorm relu conv(6,3,pad=1) batchnorm) relu gap dense(classes)",
            ["optimizer"] = "adam", ["lr"] = "0.003", ["epochs"] = "2",
        });
        AssertInterruptedAndResumedIsExact(config, (1, Steps, 1), (2, 5, 2));
    }

    [Fact]
    public void Patience_EarlyStoppingStateAndBestWeights_ResumeExactly()
    {
        // On random labels the validation loss soon stops improving: this run stops early after epoch 10.
        // Interrupted after epoch 5 (one epoch without improvement, a best snapshot held) and inside epoch 9.
        var data = Data(learnable: false);
        var config = Config(new() { ["optimizer"] = "adam", ["lr"] = "0.003", ["patience"] = "2", ["epochs"] = "20", ["dropout"] = "0.2" });
        AssertInterruptedAndResumedIsExact(config, data, (5, Steps, 2), (9, 6, 1));
        var summary = RunComparison.SummaryWithoutTimings(Dir("parts"));
        Assert.Contains("\"early-stopped\"", summary);
        Assert.Contains("epochs_run=10", summary);
        var e = Assert.Throws<FcnLabException>(() => Trainer.Resume(Dir("parts"), data, NullObserver.Instance, epochs: 30));
        Assert.Contains("already complete", e.Message);
        Assert.Contains("stopped early", e.Message);
    }

    [Fact]
    public void CancelledBeforeTheFirstStep_ResumesExactly()
    {
        var config = Config(new() { ["optimizer"] = "rmsprop", ["lr"] = "0.003", ["momentum"] = "0.5", ["epochs"] = "2" });
        var data = Data();
        Trainer.Run(config, data, Dir("full"), NullObserver.Instance);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => Trainer.Run(config, data, Dir("parts"), NullObserver.Instance, cancelled.Token));
        var cp = Checkpoint.Load(Dir("parts"));
        Assert.Equal((0, true, 0, 0L), (cp.State.EpochsDone, cp.State.InEpoch, cp.State.Step, cp.State.OptimizerSteps));
        Trainer.Resume(Dir("parts"), data, NullObserver.Instance);
        RunComparison.AssertSameRun(Dir("full"), Dir("parts"));
    }

    [Theory]
    [InlineData("constant")]
    [InlineData("step")]
    [InlineData("plateau")]
    public void ACompletedRun_ResumedToMoreEpochs_EqualsTheLongerRun(string schedule)
    {
        var settings = new Dictionary<string, string>
        {
            ["optimizer"] = "adam", ["lr"] = "0.003", ["batch-norm"] = "true", ["dropout"] = "0.2", ["restore-best"] = "true",
            ["lr-schedule"] = schedule, ["lr-step-size"] = "1", ["lr-plateau-patience"] = "0",
        };
        var data = Data();
        Trainer.Run(Config(settings) with { Epochs = 4 }, data, Dir("four"), NullObserver.Instance);
        var two = Trainer.Run(Config(settings) with { Epochs = 2 }, data, Dir("two"), NullObserver.Instance);
        Assert.Equal(RunStatus.Completed, two.Summary.Status);
        Assert.Equal(RunStatus.Completed, Checkpoint.Load(Dir("two")).Status);

        var resumed = Trainer.Resume(Dir("two"), data, NullObserver.Instance, epochs: 4);
        Assert.Equal(4, resumed.Summary.EpochsRun);
        RunComparison.AssertSameRun(Dir("four"), Dir("two"));
        Assert.Contains("\"resumes\": [", File.ReadAllText(Path.Combine(Dir("two"), "config.json")));
        var record = Assert.Single(Checkpoint.Load(Dir("two")).State.Resumes);
        Assert.Equal((3, 0, 4, 2), (record.Epoch, record.Step, record.Epochs, record.Threads));
    }

    [Fact]
    public void Cosine_FollowsTheNewTotal_FromTheResumePoint()
    {
        var settings = new Dictionary<string, string> { ["lr"] = "0.1", ["lr-schedule"] = "cosine", ["epochs"] = "2" };
        var data = Data();
        Trainer.Run(Config(settings), data, Dir("run"), NullObserver.Instance);
        var result = Trainer.Resume(Dir("run"), data, NullObserver.Instance, epochs: 4);
        // Epochs 1-2 ran with T_max = 2; epochs 3-4 follow T_max = 4.
        double[] expected = [0.1, 0.1 * (1 + Math.Cos(Math.PI / 2)) / 2, 0.1 * (1 + Math.Cos(Math.PI * 2 / 4)) / 2, 0.1 * (1 + Math.Cos(Math.PI * 3 / 4)) / 2];
        Assert.Equal(expected, result.Epochs.Select(e => e.Lr), (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void Resume_RefusesWhatCannotGoOn()
    {
        var data = Data();
        var config = Config(new() { ["epochs"] = "2" });

        Directory.CreateDirectory(Dir("empty"));
        Assert.Contains("holds no checkpoint.fcnlab", Assert.Throws<FcnLabException>(() => Checkpoint.Load(Dir("empty"))).Message);
        Assert.Contains("does not exist", Assert.Throws<FcnLabException>(() => Trainer.Resume(Dir("nowhere"), data, NullObserver.Instance)).Message);

        Trainer.Run(config, data, Dir("done"), NullObserver.Instance);
        foreach (int? epochs in new int?[] { null, 2, 1 })
        {
            var e = Assert.Throws<FcnLabException>(() => Trainer.Resume(Dir("done"), data, NullObserver.Instance, epochs: epochs));
            Assert.Contains("already complete with 2 epochs", e.Message);
        }

        // Inside epoch 2 the weights have moved: it cannot end as a 1-epoch run.
        using (var cancel = new CancellationTokenSource())
            Assert.Throws<OperationCanceledException>(() => Trainer.Run(config, data, Dir("mid"), new CancelAfter(2, 4, cancel), cancel.Token));
        Assert.Contains("--epochs must be at least 2", Assert.Throws<FcnLabException>(() => Trainer.Resume(Dir("mid"), data, NullObserver.Instance, epochs: 1)).Message);

        // Other data (same shape and counts, other labels) is refused rather than mixed in.
        Assert.Contains("other data", Assert.Throws<FcnLabException>(() => Trainer.Resume(Dir("mid"), Data(seed: 12), NullObserver.Instance)).Message);

        var diverging = Config(new() { ["lr"] = "1e30", ["epochs"] = "3" });
        Assert.Equal(RunStatus.Diverged, Trainer.Run(diverging, data, Dir("diverged"), NullObserver.Instance).Summary.Status);
        Assert.Contains("diverged at epoch 1", Assert.Throws<FcnLabException>(() => Trainer.Resume(Dir("diverged"), data, NullObserver.Instance, epochs: 5)).Message);
    }

    [Fact]
    public void ACheckpoint_IsWrittenAfterEveryEpoch()
    {
        var data = Data();
        var config = Config(new() { ["epochs"] = "3" });
        var seen = new List<(int, bool, int)>();
        var observer = new EpochProbe(Dir("run"), seen);
        Trainer.Run(config, data, Dir("run"), observer);
        // When epoch e starts, the checkpoint on disk is the one written after epoch e - 1.
        Assert.Equal([(1, false, 0), (2, false, 0)], seen);
        var final = Checkpoint.Load(Dir("run"));
        Assert.Equal((RunStatus.Completed, 3, false), (final.Status, final.State.EpochsDone, final.State.InEpoch));
        Assert.Empty(Directory.GetFiles(Dir("run"), "*.tmp"));
    }

    private sealed class EpochProbe(string runDir, List<(int, bool, int)> seen) : ITrainingObserver
    {
        public void EpochStarted(int epoch, int epochs, int steps)
        {
            if (epoch == 1) Assert.False(Checkpoint.Exists(runDir));
            else
            {
                var c = Checkpoint.Load(runDir);
                seen.Add((c.State.EpochsDone, c.State.InEpoch, c.State.Step));
            }
        }
    }
}
