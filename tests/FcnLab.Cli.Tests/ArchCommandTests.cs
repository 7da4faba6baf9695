using FcnLab.Engine.Training;
using System.Text.Json;
using FcnLab.Lab.Store;

namespace FcnLab.Cli.Tests;

/// <summary>Convolutional networks through the commands: train --arch, eval, summary, sweeps, and the errors.</summary>
public sealed class ArchCommandTests : IDisposable
{
    private const string Spec = "conv(4,3,pad=1) batchnorm relu maxpool(2) flatten dense(classes)";
    private readonly CliHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public void Train_WithAnArchitecture_PrintsItsSummary_AndEvalAndSummaryReadTheModel()
    {
        string run = _h.Path_("cnn");
        var (code, output, err) = _h.Train(run, "--arch", Spec, "--optimizer", "adam", "--lr", "0.01");
        Assert.True(code == 0, err + output);
        Assert.Contains("Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))", output);
        Assert.Contains("[4, 4, 4]", output);
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))))
            Assert.Equal(Spec, config.RootElement.GetProperty("arch").GetString());
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        Assert.Equal(4 * 9 + 4 + 8 + 64 * 4 + 4, summary.RootElement.GetProperty("parameters").GetInt64());

        (code, output, err) = _h.Run("eval", "--model", run, "--data", _h.DataDir, "--json");
        Assert.True(code == 0, err);
        using (var doc = JsonDocument.Parse(output))
            Assert.Equal(summary.RootElement.GetProperty("test_accuracy").GetDouble(), doc.RootElement.GetProperty("test_accuracy").GetDouble());

        (code, output, err) = _h.Run("summary", "--model", run);
        Assert.True(code == 0, err);
        Assert.Contains("architecture: conv(4,3,pad=1) batchnorm relu maxpool(2) flatten dense(4)", output);
        Assert.Contains("BatchNorm2d(4, eps=1e-05, momentum=0.1)", output);
    }

    [Fact]
    public void Summary_OfABuiltInArchitecture_CountsParametersAndFlops()
    {
        var (code, output, err) = _h.Run("summary", "--arch", "lenet5");
        Assert.True(code == 0, err);
        Assert.Contains("61,706", output); // LeNet-5's parameters for 28x28 inputs and 10 classes
        Assert.Contains("833,040", output); // forward FLOPs per sample
        (code, output, _) = _h.Run("summary", "--arch", "lenet5", "--image-shape", "3x32x32", "--classes", "100");
        Assert.Equal(0, code);
        Assert.Contains("Conv2d(3, 6, kernel_size=(5, 5)", output);
        Assert.Contains("Linear(84, 100)", output);
    }

    [Fact]
    public void Summary_OfResnet_ShowsEachBlocksLayersAndProjection_WithTheirParameters()
    {
        var (code, output, err) = _h.Run("summary", "--arch", "resnet");
        Assert.True(code == 0, err);
        Assert.Contains("73,082", output); // the README's count for 28x28 inputs and 10 classes
        Assert.Contains("Residual (with projection)", output);
        Assert.Contains("body.3 Conv2d(64, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)  [64, 7, 7]", output);
        Assert.Contains("downsample.0 Conv2d(16, 32, kernel_size=(1, 1), stride=(2, 2), bias=False)", output);
        Assert.Contains("GlobalAvgPool2d()", output);
    }

    [Theory]
    [InlineData(new[] { "--arch", "conv(8,3) relu maxpool(2) dense(10)" }, "dense(10) needs a flat input")]
    [InlineData(new[] { "--arch", "conv(8,3) res(conv(8,3) relu gap dense(10)" }, "res( is not closed")]
    [InlineData(new[] { "--arch", "conv(8,3 relu" }, "expected ',' or ')' in the arguments of conv")]
    [InlineData(new[] { "--arch", "lenet5", "--hidden", "32" }, "--hidden and --arch both name the network")]
    [InlineData(new[] { "--arch", "lenet5", "--batch-norm" }, "with --arch write batchnorm")]
    public void BadArchitectures_AreRefusedWithExitCode2_AndAPointer(string[] flags, string message)
    {
        var (code, output, err) = _h.Train(_h.Path_("bad"), flags);
        Assert.True(code == 2, err + output);
        Assert.Contains(message, err);
        Assert.False(File.Exists(Path.Combine(_h.Path_("bad"), "model.fcnlab")));
    }

    [Fact]
    public void ASweep_CanTakeArchitecturesAsAnAxis()
    {
        string path = _h.Path_("archs.yaml");
        File.WriteAllText(path, $"""
            name: archs
            base: {"{"} data: {_h.DataDir}, dataset: tiny, epochs: 1, batch_size: 32, threads: 1, optimizer: adam, lr: 0.01 {"}"}
            axes:
              arch: ["flatten dense(classes)", "{Spec}"]
            """);
        var (code, output, err) = _h.Run("sweep", path, "--store", _h.StorePath);
        Assert.True(code == 0, err + output);
        using var store = RunStores.Open(_h.StorePath);
        var trials = store.ListTrials("archs");
        Assert.Equal(2, trials.Count);
        Assert.All(trials, t => Assert.Equal(RunStatus.Completed, t.Status));
        Assert.NotEqual(trials[0].Definition.TrialId, trials[1].Definition.TrialId);
    }
}
