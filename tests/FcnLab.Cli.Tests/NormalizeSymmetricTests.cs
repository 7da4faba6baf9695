namespace FcnLab.Cli.Tests;

/// <summary>--normalize symmetric ([-1, 1], torchvision's Normalize((0.5,), (0.5,))) is carried in the model file and applied by eval and the ONNX export.</summary>
public sealed class NormalizeSymmetricTests : IDisposable
{
    private readonly CliHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public void ATrainingWithSymmetricInputs_IsEvaluatedAndExportedWithThem()
    {
        string run = _h.Path_("run");
        var (code, output, err) = _h.Train(run, "--normalize", "symmetric");
        Assert.True(code == 0, err);
        Assert.Contains("\"normalize\": \"symmetric\"", File.ReadAllText(Path.Combine(run, "config.json")));
        string trained = output.Split('\n').Single(l => l.StartsWith("test_loss", StringComparison.Ordinal));

        // eval reads the normalization from the model file: the same test numbers as the training printed.
        var (ec, eout, eerr) = _h.Run("eval", "--model", run, "--data", _h.DataDir, "--dataset", "tiny");
        Assert.True(ec == 0, eerr);
        Assert.Equal(trained, eout.Split('\n').Single(l => l.StartsWith("test_loss", StringComparison.Ordinal)));

        // The ONNX export keeps it (Sub and Div by 127.5) and names it in its metadata.
        var (xc, _, xerr) = _h.Run("export", "--model", run, "--format", "onnx");
        Assert.True(xc == 0, xerr);
        string onnx = File.ReadAllText(Path.Combine(run, "model.onnx"), System.Text.Encoding.Latin1);
        Assert.Contains("\"kind\":\"symmetric\"", onnx);
        Assert.Contains("127.5", onnx);
    }
}
