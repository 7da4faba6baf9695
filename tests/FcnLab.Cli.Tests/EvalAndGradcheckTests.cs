using System.Text.Json;

namespace FcnLab.Cli.Tests;

public class EvalAndGradcheckTests
{
    [Fact]
    public void Eval_OfARunDirectory_ReproducesTheRunsTestAccuracy()
    {
        using var cli = new CliHarness();
        string run = cli.Path_("run");
        Assert.Equal(0, cli.Train(run, "--batch-norm").Code);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        double trained = summary.RootElement.GetProperty("test_accuracy").GetDouble();

        var (code, output, err) = cli.Run("eval", "--model", run, "--data", cli.DataDir, "--json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(trained, doc.RootElement.GetProperty("test_accuracy").GetDouble());
        Assert.Equal(4, doc.RootElement.GetProperty("per_class").GetArrayLength());

        (code, output, _) = cli.Run("eval", "--model", Path.Combine(run, "model.fcnlab"), "--data", cli.DataDir);
        Assert.Equal(0, code);
        Assert.Contains("confusion matrix", output);
        Assert.Contains("precision", output);
    }

    [Fact]
    public void Eval_RefusesACorruptModelFile()
    {
        using var cli = new CliHarness();
        string run = cli.Path_("run");
        Assert.Equal(0, cli.Train(run).Code);
        string model = Path.Combine(run, "model.fcnlab");
        var bytes = File.ReadAllBytes(model);
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(model, bytes);
        var (code, _, err) = cli.Run("eval", "--model", model, "--data", cli.DataDir);
        Assert.Equal(2, code);
        Assert.Contains("checksum", err);

        File.WriteAllText(model, "not a model");
        (code, _, err) = cli.Run("eval", "--model", model, "--data", cli.DataDir);
        Assert.Equal(2, code);
        Assert.Contains("magic", err);
    }

    [Fact]
    public void Eval_RefusesImagesOfAnotherSize()
    {
        using var cli = new CliHarness();
        string run = cli.Path_("run");
        Assert.Equal(0, cli.Train(run).Code);
        string other = FcnLab.Engine.Tests.Data.IdxTestFiles.WriteDataset(cli.Path_("other"), 40, 20, 5, 5, 4);
        var (code, _, err) = cli.Run("eval", "--model", run, "--data", other);
        Assert.Equal(2, code);
        Assert.Contains("pixels", err);
    }

    [Theory]
    [InlineData("tanh", false)]
    [InlineData("sigmoid", false)]
    [InlineData("relu", false)]
    [InlineData("leaky-relu", false)]
    [InlineData("tanh", true)]
    [InlineData("sigmoid", true)]
    [InlineData("relu", true)]
    [InlineData("leaky-relu", true)]
    public void Gradcheck_PassesForEveryActivation_WithAndWithoutBatchNorm(string activation, bool batchNorm)
    {
        using var cli = new CliHarness(classes: 10, train: 100, test: 20);
        string[] args = ["gradcheck", "--data", cli.DataDir, "--activation", activation, "--hidden", "12,9"];
        if (batchNorm) args = [.. args, "--batch-norm"];
        var (code, output, err) = cli.Run(args);
        Assert.True(code == 0, err + output);
        Assert.Contains("gradcheck passed", output);
        Assert.Contains("Output layer bias [0]", output);
        Assert.Contains("Hidden layer 1 weight [0,0]", output);
    }

    [Fact]
    public void Gradcheck_Arch_ChecksConvolutionalAndBatchNormLayers()
    {
        using var cli = new CliHarness(classes: 10, train: 100, test: 20);
        var (code, output, err) = cli.Run("gradcheck", "--data", cli.DataDir, "--arch", "conv(3,3,pad=1) batchnorm tanh maxpool(2) flatten dense(classes)");
        Assert.True(code == 0, err + output);
        Assert.Contains("Conv2d(1, 3", output);
        Assert.Contains("Conv layer 1 weight [2,0,2,2]", output);
        Assert.Contains("Batch norm 1 bias [1]", output);
        Assert.Contains("Output layer weight [9,47]", output);
        Assert.Contains("gradcheck passed", output);

        (code, _, err) = cli.Run("gradcheck", "--data", cli.DataDir, "--arch", "flatten dense(8) relu dropout(0.5) dense(classes)");
        Assert.Equal(2, code);
        Assert.Contains("leave dropout out of --arch", err);
    }

    [Fact]
    public void Gradcheck_DefaultsToTheStudysNetwork()
    {
        using var cli = new CliHarness(classes: 10, train: 100, test: 20);
        var (code, output, err) = cli.Run("gradcheck", "--data", cli.DataDir);
        Assert.True(code == 0, err + output);
        Assert.Contains("Linear(64, 50)", output);
        Assert.Contains("Tanh", output);
        Assert.Contains("10 training examples", output);
    }
}
