using FcnLab.Engine.Models;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using FcnLab.Interop.SafeTensors;

namespace FcnLab.Cli.Tests.Faults;

/// <summary>Issue 14, point 6: weights that are NaN or infinite are refused, naming the tensor, when a model is loaded or imported.</summary>
public sealed class ImpossibleResultTests : IDisposable
{
    private readonly CliHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public void AModelFileWithANaNWeight_IsRefusedByEval_NamingTheTensor()
    {
        string run = _h.Path_("run");
        Assert.Equal(0, _h.Train(run, "--hidden", "16", "--epochs", "1").Code);
        var contents = ModelFile.Load(run);
        using var pool = new WorkerPool(1);
        var network = NetworkBuilder.Build(contents.Spec, pool, new Rng(0));
        network.Layers[2].Parameters[1].Value.Span[3] = float.PositiveInfinity;
        string bad = _h.Path_("bad.fcnlab");
        File.WriteAllBytes(bad, ModelFile.Serialize(contents.Spec, contents.Normalization, contents.ClassNames, network));

        var (code, _, err) = _h.Run("eval", "--model", bad, "--data", _h.DataDir, "--dataset", "tiny");
        Assert.Equal(2, code);
        FileFaultTests.AssertOneErrorLine(err, "tensor 2.bias holds +infinity at index 3; a model's weights must be finite numbers");
    }

    [Fact]
    public void ASafetensorsFileWithANaNWeight_IsNotImported_NamingTheTensor()
    {
        string run = _h.Path_("run");
        Assert.Equal(0, _h.Train(run, "--hidden", "16", "--epochs", "1").Code);
        string exported = _h.Path_("w.safetensors");
        SafeTensorsExporter.Write(ModelFile.Load(run), exported);
        // The last value of the file is the last bias's last element: make it NaN (safetensors has no checksum).
        var bytes = File.ReadAllBytes(exported);
        BitConverter.GetBytes(float.NaN).CopyTo(bytes, bytes.Length - 4);
        File.WriteAllBytes(exported, bytes);

        string output = _h.Path_("imported.fcnlab");
        var (code, _, err) = _h.Run("import", "--from", exported, "--hidden", "16", "--out", output);
        Assert.Equal(2, code);
        FileFaultTests.AssertOneErrorLine(err, "tensor 2.bias holds NaN at index 3; a model's weights must be finite numbers");
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void ClassNamesWithTerminalEscapes_ArePrintedEscaped_ByEval()
    {
        string run = _h.Path_("run");
        Assert.Equal(0, _h.Train(run, "--hidden", "16", "--epochs", "1").Code);
        var contents = ModelFile.Load(run);
        using var pool = new WorkerPool(1);
        var network = NetworkBuilder.Build(contents.Spec, pool, new Rng(0));
        string[] names = ["\u001b]0;owned\u0007title", "\u001b[2J", "\u009bred", "plain"];
        string model = _h.Path_("escapes.fcnlab");
        File.WriteAllBytes(model, ModelFile.Serialize(contents.Spec, contents.Normalization, names, network));

        var (code, output, err) = _h.Run("eval", "--model", model, "--data", _h.DataDir, "--dataset", "tiny");
        Assert.True(code == 0, err);
        Assert.DoesNotContain(output, c => c is '\u001b' or '\u0007' or '\u009b');
        Assert.Contains("\\x1b]0;owned\\x07title", output);
        Assert.Contains("\\u009bred", output);
    }
}
