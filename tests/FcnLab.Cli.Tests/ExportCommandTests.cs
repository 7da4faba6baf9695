using FcnLab.Engine.Models;
using FcnLab.Interop.Onnx;
using FcnLab.Interop.SafeTensors;
using FcnLab.Interop.Tests;

namespace FcnLab.Cli.Tests;

/// <summary>fcnlab export end to end: both formats from a run directory, the round trip through import, and bad input.</summary>
public sealed class ExportCommandTests : IDisposable
{
    private readonly CliHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public void Onnx_FromARunDirectory_IsTheExportersModel_AndOnnxChecksIt()
    {
        string run = _h.Path_("run");
        Assert.Equal(0, _h.Train(run, "--hidden", "16,12", "--batch-norm", "--epochs", "1").Code);

        var (code, output, err) = _h.Run("export", "--model", run, "--format", "onnx", "--softmax", "--opset", "15");
        Assert.True(code == 0, err);
        string onnx = Path.Combine(run, "model.onnx");
        Assert.Contains($"wrote {onnx}", output);
        Assert.Equal(OnnxExporter.Export(ModelFile.Load(run), new OnnxExportOptions { Softmax = true, Opset = 15 }), File.ReadAllBytes(onnx));

        string check = """
            import sys, onnx
            m = onnx.load(sys.argv[1])
            onnx.checker.check_model(m, full_check=True)
            print(m.opset_import[0].version, [o.name for o in m.graph.output])
            """;
        Assert.Equal("15 ['logits', 'probabilities']", Python.Run(check, onnx).Trim());
    }

    [Fact]
    public void Safetensors_ThenImport_GivesTheSameModelFileByteForByte()
    {
        string run = _h.Path_("run");
        Assert.Equal(0, _h.Train(run, "--arch", "flatten dense(10) relu dropout(0.1) dense(classes)", "--epochs", "1").Code);
        string exported = _h.Path_("out/weights.safetensors");
        Directory.CreateDirectory(_h.Path_("out"));

        var (code, output, err) = _h.Run("export", "--model", Path.Combine(run, "model.fcnlab"), "--format", "safetensors", "--out", exported);
        Assert.True(code == 0, err);
        Assert.Contains($"wrote {exported}, {SafeTensorsSidecar.PathFor(exported)}", output);
        Assert.True(File.Exists(SafeTensorsSidecar.PathFor(exported)));
        Assert.True(File.Exists(_h.Path_("out/weights.py")));

        (code, _, err) = _h.Run("import", "--from", exported, "--arch", "flatten dense(10) relu dropout(0.1) dense(classes)", "--out", _h.Path_("back.fcnlab"));
        Assert.True(code == 0, err);
        Assert.Equal(File.ReadAllBytes(Path.Combine(run, "model.fcnlab")), File.ReadAllBytes(_h.Path_("back.fcnlab")));
    }

    [Fact]
    public void BadInput_ExitsWith2_AndWritesNothing()
    {
        string run = _h.Path_("run");
        Assert.Equal(0, _h.Train(run, "--hidden", "8", "--epochs", "1").Code);

        void Refused(string expected, params string[] args)
        {
            var (code, output, err) = _h.Run(["export", .. args]);
            Assert.Equal(2, code);
            Assert.Contains(expected, err);
            Assert.Equal("", output);
        }
        Refused("--format takes onnx or safetensors (got 'keras')", "--model", run, "--format", "keras");
        Refused("--format", "--model", run);
        Refused("--softmax and --opset apply to --format onnx only", "--model", run, "--format", "safetensors", "--softmax");
        Refused("opset", "--model", run, "--format", "onnx", "--opset", "18");
        Refused("--opset must be a whole number", "--model", run, "--format", "onnx", "--opset", "x");
        Refused(_h.Path_("missing"), "--model", _h.Path_("missing"), "--format", "onnx");
        Assert.False(File.Exists(Path.Combine(run, "model.onnx")));
        Assert.False(File.Exists(Path.Combine(run, "model.safetensors")));
    }
}
