using System.Security.Cryptography;
using FcnLab.Engine.Models;
using FcnLab.Engine.Tensors;

namespace FcnLab.Cli.Tests;

/// <summary>
/// Model files of format versions 1 (the dense shorthand) and 2 (an --arch network), written by the build
/// before version 3 (ModelFiles/, made by its make-fixtures.sh), and what that build printed for them:
/// this build reads them, evaluates, predicts, summarizes and exports them exactly as it did, and saves
/// them again as version 3 without changing a number.
/// </summary>
public sealed class ModelFileFormatTests : IDisposable
{
    private readonly CliHarness _h = new(train: 8, test: 4, size: 4, classes: 2);
    private readonly string _dir;

    public ModelFileFormatTests()
    {
        // A copy, so exports can be written beside the models; {DIR} in the expected outputs is this folder.
        _dir = _h.Path_("models");
        CopyDirectory(Fixture(""), _dir);
    }

    public void Dispose() => _h.Dispose();

    /// <summary>A file of the fixture folder, as the test project copies it to its output.</summary>
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "ModelFiles", name);

    public static TheoryData<string, int> Versions => new() { { "dense-v1", 1 }, { "softmax-v1", 1 }, { "arch-v2", 2 } };

    public static TheoryData<string> Models => new() { "dense-v1", "softmax-v1", "arch-v2" };

    private string Model(string name) => Path.Combine(_dir, name + ".fcnlab");

    private string Expected(string name) => File.ReadAllText(Path.Combine(_dir, "expected", name)).Replace("{DIR}", _dir, StringComparison.Ordinal);

    private string Run(params string[] args)
    {
        var (code, output, err) = _h.Run(args);
        Assert.True(code == 0, $"{string.Join(" ", args)}: exit {code}\n{err}");
        return output;
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Eval_PrintsWhatTheOldBuildPrinted(string name, int version)
    {
        Assert.Equal(version, BitConverter.ToInt32(File.ReadAllBytes(Model(name)), 8));
        string[] args = ["eval", "--model", Model(name), "--data", Path.Combine(_dir, "data"), "--dataset", "tiny", "--threads", "1"];
        Assert.Equal(Expected($"{name}.eval.json"), Run([.. args, "--json"]));
        Assert.Equal(Expected($"{name}.eval.txt"), Run(args));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Predict_PrintsWhatTheOldBuildPrinted(string name)
    {
        string[] args = ["predict", "--model", Model(name), Path.Combine(_dir, "data", "t10k-images-idx3-ubyte"), "--labels", Path.Combine(_dir, "data", "t10k-labels-idx1-ubyte"), "--threads", "1"];
        Assert.Equal(Expected($"{name}.predict.json"), Run([.. args, "--top", "2", "--json"]));
        Assert.Equal(Expected($"{name}.predict.txt"), Run(args));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void SummaryAndExports_AreWhatTheOldBuildMade(string name)
    {
        Assert.Equal(Expected($"{name}.summary.txt"), Run("summary", "--model", Model(name)));
        Run("export", "--model", Model(name), "--format", "onnx", "--softmax", "--out", Path.Combine(_dir, name + ".onnx"));
        Run("export", "--model", Model(name), "--format", "safetensors", "--out", Path.Combine(_dir, name + ".safetensors"));
        string hashes = string.Concat(new[] { ".onnx", ".safetensors", ".safetensors.json" }.Select(ext =>
            $"{Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(_dir, name + ext))))}  {name}{ext}\n"));
        Assert.Equal(Expected($"{name}.exports.sha256"), hashes);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void SavedAgain_IsVersion3_WithTheSameNetworkAndNumbers(string name)
    {
        var old = ModelFile.Load(Model(name));
        using var pool = new WorkerPool(1);
        var network = ModelFile.BuildNetwork(old, pool, name);
        string resaved = Path.Combine(_dir, name + "-v3.fcnlab");
        ModelFile.Save(resaved, old.Spec, old.Normalization, old.ClassNames, network);
        Assert.Equal(ModelFile.FormatVersion, BitConverter.ToInt32(File.ReadAllBytes(resaved), 8));
        var v3 = ModelFile.Load(resaved);
        Assert.Equal(old.Spec.Arch.Text, v3.Spec.Arch.Text);
        Assert.Equal(old.Spec.InputShape, v3.Spec.InputShape);
        Assert.Equal(old.Tensors.Keys, v3.Tensors.Keys);
        foreach (var (key, (shape, values)) in old.Tensors)
        {
            Assert.Equal(shape, v3.Tensors[key].Shape);
            Assert.Equal(values, v3.Tensors[key].Values);
        }
        // What eval prints of it, but for its name.
        string[] args = ["eval", "--model", resaved, "--data", Path.Combine(_dir, "data"), "--dataset", "tiny", "--threads", "1", "--json"];
        Assert.Equal(Expected($"{name}.eval.json").Replace(Model(name), resaved, StringComparison.Ordinal), Run(args));
        Assert.Equal(Expected($"{name}.summary.txt").Replace(Model(name), resaved, StringComparison.Ordinal), Run("summary", "--model", resaved));
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (string dir in Directory.GetDirectories(from)) CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
    }
}
