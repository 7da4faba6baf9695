using FcnLab.Engine.Models;
using FcnLab.Interop.SafeTensors;

namespace FcnLab.Cli.Tests;

/// <summary>fcnlab import end to end: the export round trip, where shape, classes and normalization come from, and bad input.</summary>
public sealed class ImportCommandTests : IDisposable
{
    private readonly CliHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public void ExportThenImport_WithTheSidecar_GivesTheSameModelFileByteForByte()
    {
        string run = _h.Path_("run");
        Assert.Equal(0, _h.Train(run, "--hidden", "16,12", "--batch-norm", "--epochs", "1").Code);
        string exported = _h.Path_("model.safetensors");
        SafeTensorsExporter.Write(ModelFile.Load(run), exported);

        // The sidecar supplies the input shape, the exact normalization and the class names.
        var (code, output, err) = _h.Run("import", "--from", exported, "--hidden", "16,12", "--batch-norm", "--out", _h.Path_("imported.fcnlab"));
        Assert.True(code == 0, err);
        Assert.Contains("-> " + _h.Path_("imported.fcnlab"), output);
        Assert.Equal(File.ReadAllBytes(Path.Combine(run, "model.fcnlab")), File.ReadAllBytes(_h.Path_("imported.fcnlab")));
    }

    [Fact]
    public void Import_WithData_FitsTheNormalizationAsTrainDoes_AndTakesClassesAndShapeFromIt()
    {
        string run = _h.Path_("run");
        Assert.Equal(0, _h.Train(run, "--arch", "flatten dense(10) relu dense(classes)", "--epochs", "1").Code);
        string exported = _h.Path_("weights.safetensors");
        SafeTensorsExporter.Write(ModelFile.Load(run), exported);
        File.Delete(SafeTensorsSidecar.PathFor(exported));

        var (code, _, err) = _h.Run("import", "--from", exported, "--arch", "flatten dense(10) relu dense(classes)", "--data", _h.DataDir, "--dataset", "tiny", "--out", _h.Path_("m.fcnlab"));
        Assert.True(code == 0, err);
        var trained = ModelFile.Load(run);
        var imported = ModelFile.Load(_h.Path_("m.fcnlab"));
        Assert.Equal(trained.Normalization, imported.Normalization);
        Assert.Equal(trained.Spec.InputShape, imported.Spec.InputShape);
        Assert.Equal(trained.ClassNames, imported.ClassNames);
        Assert.Equal(File.ReadAllBytes(Path.Combine(run, "model.fcnlab")), File.ReadAllBytes(_h.Path_("m.fcnlab")));

        // transforms.Normalize's numbers, on the [0, 1] scale, become FcnLab's on 0..255.
        Assert.Equal(0, _h.Run("import", "--from", exported, "--arch", "flatten dense(10) relu dense(classes)", "--input-shape", "1,8,8", "--classes", "4",
            "--input-mean", "0.5", "--input-std", "0.25", "--out", _h.Path_("n.fcnlab")).Code);
        var n = ModelFile.Load(_h.Path_("n.fcnlab"));
        Assert.Equal((127.5f, 63.75f), (n.Normalization.Mean, n.Normalization.Std));
        Assert.Equal(["0", "1", "2", "3"], n.ClassNames);
    }

    [Fact]
    public void BadInput_ExitsWith2_AndSaysWhatIsWrong()
    {
        string run = _h.Path_("run");
        Assert.Equal(0, _h.Train(run, "--hidden", "16", "--epochs", "1").Code);
        string exported = _h.Path_("w.safetensors");
        SafeTensorsExporter.Write(ModelFile.Load(run), exported);
        string corrupt = _h.Path_("corrupt.safetensors");
        File.WriteAllBytes(corrupt, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        string bare = _h.Path_("bare.safetensors");
        File.Copy(exported, bare);

        void Refused(string expected, params string[] args)
        {
            var (code, _, err) = _h.Run(["import", .. args]);
            Assert.Equal(2, code);
            Assert.Contains(expected, err);
        }
        string o = _h.Path_("out.fcnlab");
        Refused("import needs the network the weights belong to: --arch SPEC", "--from", exported, "--out", o);
        Refused("does not exist", "--from", _h.Path_("none.safetensors"), "--hidden", "16", "--out", o);
        Refused("is not a valid safetensors file", "--from", corrupt, "--hidden", "16", "--out", o);
        Refused("missing keys: 4.weight, 4.bias", "--from", exported, "--hidden", "16,8", "--out", o);
        Refused("0.weight has shape [16, 64] in the file, the network expects [12, 64]", "--from", exported, "--hidden", "12", "--out", o);
        Refused("--input-mean and --input-std go together", "--from", exported, "--hidden", "16", "--input-mean", "0.5", "--out", o);
        Refused("--input-std must be a number (got 'x')", "--from", exported, "--hidden", "16", "--input-mean", "0.5", "--input-std", "x", "--out", o);
        Refused("--input-shape '1,eight' is not a shape", "--from", exported, "--hidden", "16", "--input-shape", "1,eight", "--out", o);
        // No sidecar, no data: the input shape and then the normalization must be given.
        Refused("import needs the input shape", "--from", bare, "--hidden", "16", "--out", o);
        Refused("import needs the input normalization", "--from", bare, "--hidden", "16", "--input-shape", "1,8,8", "--out", o);
        Refused("--normalize standardize fits the mean and std on a data set", "--from", bare, "--hidden", "16", "--input-shape", "1,8,8", "--normalize", "standardize", "--out", o);
        Assert.False(File.Exists(o));
    }
}
