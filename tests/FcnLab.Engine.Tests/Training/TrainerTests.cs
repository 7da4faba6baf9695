using FcnLab.Engine.Data;
using FcnLab.Engine.Init;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Losses;
using FcnLab.Engine.Models;
using FcnLab.Engine.Optim;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using FcnLab.Engine.Tests.Data;
using FcnLab.Engine.Training;

namespace FcnLab.Engine.Tests.Training;

public class TrainerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fcnlab-trainer-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }

    private ImageDataset Data(int classes = 4) =>
        DatasetCatalog.Load(new DataOptions("tiny", IdxTestFiles.WriteDataset(Path.Combine(_root, $"data{classes}"), 400, 100, 8, 8, classes, seed: 11)));

    [Fact]
    public void SmallNetwork_LearnsASmallSyntheticProblem()
    {
        var config = new TrainConfig
        {
            Hidden = [32],
            Epochs = 15,
            BatchSize = 32,
            Optimizer = new OptimizerConfig { Kind = OptimizerKind.Adam, Lr = 0.01 },
            Threads = 2,
        };
        var result = Trainer.Run(config, Data(), Path.Combine(_root, "run"), NullObserver.Instance);
        Assert.Equal(RunStatus.Completed, result.Summary.Status);
        Assert.True(result.Summary.TestAccuracy > 0.9, $"test accuracy {result.Summary.TestAccuracy}");
        Assert.True(result.Epochs[^1].TrainLoss < result.Epochs[0].TrainLoss / 2);
    }

    [Theory]
    [InlineData("sgd", 0.9, "step")]
    [InlineData("rmsprop", 0.0, "cosine")]
    [InlineData("adamw", 0.0, "plateau")]
    public void EveryOptimizerAndSchedule_Trains(string optimizer, double momentum, string schedule)
    {
        var config = TrainSettings.Apply(new TrainConfig { Threads = 1 }, new Dictionary<string, string>
        {
            ["hidden"] = "24,16", ["epochs"] = "6", ["batch-size"] = "50", ["optimizer"] = optimizer, ["lr"] = optimizer == "sgd" ? "0.05" : "0.003",
            ["momentum"] = momentum.ToString(System.Globalization.CultureInfo.InvariantCulture), ["lr-schedule"] = schedule,
            ["lr-step-size"] = "2", ["lr-plateau-patience"] = "1", ["batch_norm"] = "true", ["dropout"] = "0.1", ["l2"] = "0.001",
            ["clip-grad-norm"] = "5", ["init"] = "kaiming-uniform",
        });
        var result = Trainer.Run(config, Data(), Path.Combine(_root, optimizer), NullObserver.Instance);
        Assert.Equal(RunStatus.Completed, result.Summary.Status);
        Assert.True(result.Summary.TestAccuracy > 0.6, $"test accuracy {result.Summary.TestAccuracy}");
        if (schedule == "step") Assert.Equal([0.05, 0.05, 0.005, 0.005, 0.0005, 0.0005], result.Epochs.Select(e => Math.Round(e.Lr, 10)));
        if (schedule == "cosine") Assert.Equal(0.003 * (1 + Math.Cos(Math.PI * 5 / 6)) / 2, result.Epochs[^1].Lr, 12);
    }

    [Fact]
    public void SmallCnn_Learns_AndGivesTheSameBytesOnAnyThreadCount()
    {
        var data = Data();
        var config = TrainSettings.Apply(new TrainConfig(), [new("arch", "conv(6,3,pad=1) batchnorm relu maxpool(2) conv(8,3) relu flatten dense(classes)"),
            new("epochs", "8"), new("batch-size", "32"), new("optimizer", "adam"), new("lr", "0.01"), new("threads", "1")]);
        var one = Trainer.Run(config, data, Path.Combine(_root, "cnn1"), NullObserver.Instance);
        Assert.Equal(RunStatus.Completed, one.Summary.Status);
        Assert.True(one.Summary.TestAccuracy > 0.9, $"test accuracy {one.Summary.TestAccuracy}");
        Trainer.Run(config with { Threads = 3 }, data, Path.Combine(_root, "cnn3"), NullObserver.Instance);
        RunComparison.AssertSameRun(Path.Combine(_root, "cnn1"), Path.Combine(_root, "cnn3"));
        var model = ModelFile.Load(Path.Combine(_root, "cnn1"));
        Assert.Equal("conv(6,3,pad=1) batchnorm relu maxpool(2) conv(8,3) relu flatten dense(4)", model.Spec.Arch.Text);
        Assert.Equal(6 * 9 + 6 + 12 + 8 * 6 * 9 + 8 + 8 * 2 * 2 * 4 + 4, one.Summary.Parameters);
    }

    [Fact]
    public void Augment_ChangesWhatIsLearned_ButTheSameSeedGivesTheSameBytes()
    {
        var data = Data();
        var config = new TrainConfig { Hidden = [16], Epochs = 2, BatchSize = 32, Threads = 2 };
        Trainer.Run(config, data, Path.Combine(_root, "plain"), NullObserver.Instance);
        Trainer.Run(config with { Augment = true }, data, Path.Combine(_root, "aug1"), NullObserver.Instance);
        Trainer.Run(config with { Augment = true, Threads = 1 }, data, Path.Combine(_root, "aug2"), NullObserver.Instance);
        byte[] Model(string run) => File.ReadAllBytes(Path.Combine(_root, run, "model.fcnlab"));
        Assert.NotEqual(Model("plain"), Model("aug1"));
        RunComparison.AssertSameRun(Path.Combine(_root, "aug1"), Path.Combine(_root, "aug2"));
    }

    [Fact]
    public void CropFlipAndErasing_EachChangeWhatIsLearned_ButTheSameSeedGivesTheSameBytes()
    {
        var data = Data();
        var config = new TrainConfig { Hidden = [16], Epochs = 2, BatchSize = 32, Threads = 2 };
        Trainer.Run(config, data, Path.Combine(_root, "plain"), NullObserver.Instance);
        byte[] Model(string run) => File.ReadAllBytes(Path.Combine(_root, run, "model.fcnlab"));
        foreach (var (name, c) in new[] { ("crop", config with { RandomCrop = 1 }), ("flip", config with { HFlip = 0.5 }), ("erase", config with { RandomErasing = 0.5 }) })
        {
            Trainer.Run(c, data, Path.Combine(_root, name + "1"), NullObserver.Instance);
            Trainer.Run(c with { Threads = 1 }, data, Path.Combine(_root, name + "2"), NullObserver.Instance);
            Assert.NotEqual(Model("plain"), Model(name + "1"));
            RunComparison.AssertSameRun(Path.Combine(_root, name + "1"), Path.Combine(_root, name + "2"));
        }
    }

    public static TheoryData<string?> StepSpecs => new() { null, "conv(4,3,pad=1) batchnorm relu maxpool(2) conv(6,3) relu avgpool(1) flatten dropout(0.3) dense(classes)" };

    [Theory]
    [MemberData(nameof(StepSpecs))]
    public void ATrainingStep_AllocatesNothingAfterWarmUp(string? arch)
    {
        using var pool = new WorkerPool(2);
        var spec = arch == null
            ? new ModelSpec(new DenseShorthand([16, 8], Activation.ReLU, 0.01f, BatchNorm: true, Dropout: 0.3f).ToArchSpec(), [20], 5)
            // Flat rows in, as the trainer hands them over: the network views them as [1, 6, 8] images.
            : new ModelSpec(ArchSpec.Parse(arch), [1, 6, 8], 5);
        var net = NetworkBuilder.Build(spec, pool, new Rng(1));
        NetworkBuilder.Initialize(net, spec, InitScheme.Default, 1, new Rng(2));
        var optimizer = Optimizer.Create(new OptimizerConfig { Kind = OptimizerKind.Adam, Lr = 0.01, WeightDecay = 0.01 }, net.Parameters);
        var step = new StepRunner(net, optimizer, pool, new SoftmaxCrossEntropy(), l2: 0.001, clipGradNorm: 1.0);
        var x = Tensor.Zeros(12, Tensor.SizeOf(spec.InputShape));
        var rng = new Rng(3);
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextGaussian();
        var labels = Enumerable.Range(0, 12).Select(i => i % 5).ToArray();
        for (int i = 0; i < 3; i++) step.Step(x, labels, 0.01, out _);
        Assert.Equal(0, Allocations.Measure(() => { for (int i = 0; i < 5; i++) step.Step(x, labels, 0.01, out _); }));
    }

    [Fact]
    public void Summary_TimingFollowsTheContract()
    {
        var epochs = new[]
        {
            new EpochMetrics(1, 1.0, 0.5, 0.9, 0.6, 0.1, 10),
            new EpochMetrics(2, 0.8, 0.6, 0.7, 0.8, 0.1, 2),
            new EpochMetrics(3, 0.6, 0.7, 0.8, 0.7, 0.1, 4),
            new EpochMetrics(4, 0.7, 0.7, 0.8, 0.8, 0.1, 3),
        };
        var s = Trainer.Summarize(RunStatus.Completed, epochs, null, null, null, 10);
        Assert.Equal(3, s.SecondsPerEpoch);
        Assert.Equal(19, s.TrainSeconds);
        Assert.Equal(0.6, s.StartValAccuracy);
        Assert.Equal(0.8, s.BestValAccuracy);
        Assert.Equal(2, s.BestValEpoch); // the first of equal bests
        Assert.Equal(0.6, s.LowestTrainLoss);
        Assert.Equal(3, s.LowestTrainLossEpoch);
        Assert.Equal(10, Trainer.Summarize(RunStatus.Completed, epochs[..1], null, null, null, 10).SecondsPerEpoch);
    }

    [Fact]
    public void Settings_AcceptFlagAndYamlSpellings_AndRefuseUnknownNames()
    {
        var c = TrainSettings.Apply(new TrainConfig(), [new("batch_size", "64"), new("--lr", "0.5"), new("hidden", "[10, 20]"), new("HIDDEN", "10,20")]);
        Assert.Equal(64, c.BatchSize);
        Assert.Equal(0.5, c.Optimizer.Lr);
        Assert.Equal([10, 20], c.Hidden);
        Assert.Empty(TrainSettings.Apply(new TrainConfig(), [new("hidden", "none")]).Hidden);
        var e = Assert.Throws<FcnLabException>(() => TrainSettings.Apply(new TrainConfig(), [new("learning_rate", "0.1")]));
        Assert.Contains("Unknown setting 'learning_rate'", e.Message);
        Assert.Throws<FcnLabException>(() => TrainSettings.Apply(new TrainConfig(), [new("lr", "fast")]));
        Assert.Throws<FcnLabException>(() => TrainSettings.Apply(new TrainConfig(), [new("hidden", "12,-3")]));
    }
}

public class PresetTests
{
    [Fact]
    public void ExplicitFlags_OverrideThePreset_AndTheNameIsRecorded()
    {
        var c = Presets.Resolve(new TrainConfig(), "bn-adam", [new("epochs", "3")]);
        Assert.Equal("bn-adam", c.Preset);
        Assert.Equal([1000, 2000, 1000, 1000], c.Hidden);
        Assert.True(c.BatchNorm);
        Assert.Equal(0.0001, c.Optimizer.Lr);
        Assert.Equal(3, c.Epochs);
        Assert.Null(Presets.Resolve(new TrainConfig(), null, []).Preset);
        Assert.Contains("Known presets", Assert.Throws<FcnLabException>(() => Presets.Get("turbo")).Message);
        foreach (var p in Presets.All) Presets.Resolve(new TrainConfig(), p.Name, []).Validate();
    }

    [Fact]
    public void ArchAndHidden_AreNeverGivenTogether_AndAnExplicitOneReplacesThePresets()
    {
        Assert.Contains("--hidden and --arch both name the network",
            Assert.Throws<FcnLabException>(() => Presets.Resolve(new TrainConfig(), null, [new("hidden", "100"), new("arch", "lenet5")])).Message);
        var arch = Presets.Resolve(new TrainConfig(), "adam", [new("arch", "lenet5")]);
        Assert.Equal("lenet5", arch.Arch);
        var dense = TrainSettings.Apply(Presets.Resolve(new TrainConfig(), null, [new("arch", "lenet5")]), [new("hidden", "64")]);
        Assert.Null(dense.Arch);
        Assert.Equal([64], dense.Hidden);
        var e = Assert.Throws<FcnLabException>(() => Presets.Resolve(new TrainConfig(), "fast", [new("arch", "lenet5")]).Validate());
        Assert.Contains("with --arch write batchnorm, dropout(p)", e.Message);
        Assert.Contains("unknown layer 'conv3'", Assert.Throws<FcnLabException>(() => new TrainConfig { Arch = "conv3(2)" }.Validate()).Message);
    }
}
