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

    /// <summary>A model file of a trained run's architecture, its weights changed by <paramref name="change"/>, with <paramref name="classNames"/> (null: the run's).</summary>
    private string WriteModel(string name, Action<Engine.Layers.Sequential> change, string[]? classNames = null)
    {
        string run = _h.Path_("run");
        if (!Directory.Exists(run)) Assert.Equal(0, _h.Train(run, "--hidden", "16", "--epochs", "1").Code);
        var contents = ModelFile.Load(run);
        using var pool = new WorkerPool(1);
        var network = NetworkBuilder.Build(contents.Spec, pool, new Rng(0));
        change(network);
        string path = _h.Path_(name);
        File.WriteAllBytes(path, ModelFile.Serialize(contents.Spec, contents.Normalization, classNames ?? contents.ClassNames, network));
        return path;
    }

    [Fact]
    public void AModelFileWithANaNWeight_IsRefusedByEval_NamingTheTensor()
    {
        string bad = WriteModel("bad.fcnlab", network => network.Layers[2].Parameters[1].Value.Span[3] = float.PositiveInfinity);

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
        string model = WriteModel("escapes.fcnlab", _ => { }, ["\u001b]0;owned\u0007title", "\u001b[2J", "\u009bred", "plain"]);

        var (code, output, err) = _h.Run("eval", "--model", model, "--data", _h.DataDir, "--dataset", "tiny");
        Assert.True(code == 0, err);
        Assert.DoesNotContain(output, c => c is '\u001b' or '\u0007' or '\u009b');
        Assert.Contains("\\x1b]0;owned\\x07title", output);
        Assert.Contains("\\u009bred", output);
    }
}
