using System.Globalization;
using System.Text.Json;
using FcnLab.Engine;
using FcnLab.Engine.Data;
using FcnLab.Engine.Models;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using FcnLab.Interop.SafeTensors;
using FcnLab.Interop.Tests;

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
        Refused("import needs the network the weights belong to: --arch SPEC", "--from", bare, "--out", o);
        Refused($"or a sidecar '{bare}.json' with \"layers\"", "--from", bare, "--out", o);
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

    [Fact]
    public void ExportThenImport_WithoutArch_TakesTheArchitectureFromTheSidecarsLayers()
    {
        string run = _h.Path_("run");
        Assert.Equal(0, _h.Train(run, "--arch", "conv(3,3,pad=1) batchnorm relu maxpool(2) flatten dense(10) leaky-relu(0.2) dropout(0.1) dense(classes)", "--epochs", "1").Code);
        string exported = _h.Path_("cnn.safetensors");
        SafeTensorsExporter.Write(ModelFile.Load(run), exported);
        var (code, output, err) = _h.Run("import", "--from", exported, "--out", _h.Path_("cnn.fcnlab"));
        Assert.True(code == 0, err);
        Assert.Contains("model: conv(3,3,pad=1) batchnorm relu maxpool(2) flatten dense(10) leaky-relu(0.2) dropout(0.1) dense(4) (from the sidecar's layers)", output);
        Assert.Equal(File.ReadAllBytes(Path.Combine(run, "model.fcnlab")), File.ReadAllBytes(_h.Path_("cnn.fcnlab")));

        // A --hidden model's layers start with Linear: they come back as the dense shorthand, image shape and all.
        string dense = _h.Path_("dense");
        Assert.Equal(0, _h.Train(dense, "--hidden", "16,12", "--batch-norm", "--epochs", "1").Code);
        SafeTensorsExporter.Write(ModelFile.Load(dense), _h.Path_("dense.safetensors"));
        (code, output, err) = _h.Run("import", "--from", _h.Path_("dense.safetensors"), "--out", _h.Path_("dense.fcnlab"));
        Assert.True(code == 0, err);
        Assert.Contains("(from the sidecar's layers)", output);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dense, "model.fcnlab")), File.ReadAllBytes(_h.Path_("dense.fcnlab")));
    }

    [Fact]
    public void ExportThenImport_OfAResidualNetwork_TakesItsArchFromTheSidecar_ByteForByte()
    {
        string run = _h.Path_("run");
        const string arch = "conv(4,3,pad=1) batchnorm relu res(conv(6,3,stride=2,pad=1) batchnorm relu conv(6,3,pad=1) batchnorm) relu res(conv(6,3,pad=1)) gap dense(classes)";
        Assert.Equal(0, _h.Train(run, "--arch", arch, "--epochs", "1").Code);
        string exported = _h.Path_("res.safetensors");
        var (code, output, err) = _h.Run("export", "--model", run, "--format", "safetensors", "--out", exported);
        Assert.True(code == 0, err);
        Assert.Contains(_h.Path_("res.py") + " (the network as a torch.nn module)", output);
        Assert.Contains("class Network(Sequential):", File.ReadAllText(_h.Path_("res.py")));
        (code, output, err) = _h.Run("import", "--from", exported, "--out", _h.Path_("res.fcnlab"));
        Assert.True(code == 0, err);
        Assert.Contains("model: " + arch.Replace("classes", "4", StringComparison.Ordinal) + " (from the sidecar's arch)", output);
        Assert.Equal(File.ReadAllBytes(Path.Combine(run, "model.fcnlab")), File.ReadAllBytes(_h.Path_("res.fcnlab")));
    }

    [Fact]
    public void SidecarLayers_ThatDisagreeWithTheFile_OrThatFcnLabLacks_AreRefused()
    {
        string run = _h.Path_("run");
        Assert.Equal(0, _h.Train(run, "--hidden", "16", "--epochs", "1").Code);
        string exported = _h.Path_("w.safetensors");
        SafeTensorsExporter.Write(ModelFile.Load(run), exported);
        string sidecar = SafeTensorsSidecar.PathFor(exported);
        var original = SafeTensorsSidecar.Read(sidecar);

        (new SafeTensorsSidecar { Layers = ["Linear(64, 12)", "ReLU()", "Linear(12, 4)"], InputShape = [64], InputMean = 0.5, InputStd = 0.25 }).Write(sidecar);
        var (code, _, err) = _h.Run("import", "--from", exported, "--out", _h.Path_("o.fcnlab"));
        Assert.Equal(2, code);
        Assert.Contains($"does not hold the state_dict of the network built from the layers in its sidecar '{sidecar}'", err);
        Assert.Contains("0.weight has shape [16, 64] in the file, the network expects [12, 64]", err);
        Assert.Contains("The sidecar's layers must be the modules of the nn.Sequential whose state_dict was saved", err);

        (original with { Layers = ["Linear(64, 16)", "Softmax(dim=1)", "Linear(16, 4)"] }).Write(sidecar);
        (code, _, err) = _h.Run("import", "--from", exported, "--out", _h.Path_("o.fcnlab"));
        Assert.Equal(2, code);
        Assert.Contains("The sidecar's layer 1 \"Softmax(dim=1)\": Softmax is not a module FcnLab has", err);
        Assert.False(File.Exists(_h.Path_("o.fcnlab")));

        // --hidden still wins over the sidecar's layers.
        Assert.Equal(0, _h.Run("import", "--from", exported, "--hidden", "16", "--out", _h.Path_("o.fcnlab")).Code);
    }

    // PyTorch builds the networks, saves the state_dict and a sidecar of [repr(m) for m in model]; import with no --arch gives PyTorch's logits.
    [Theory]
    [InlineData("Sequential(Flatten(), Linear(64, 20), BatchNorm1d(20), ReLU(inplace=True), Dropout(0.2), Linear(20, 4))")]
    [InlineData("Sequential(Conv2d(1, 4, (3, 3), padding=1), BatchNorm2d(4), ReLU(), MaxPool2d(2), Conv2d(4, 6, 3, padding='same', bias=False), LeakyReLU(0.1), AvgPool2d(2), Flatten(), Linear(24, 4))")]
    public void PyTorchsSequential_WithItsReprAsTheSidecarsLayers_ImportsWithoutArch(string model)
    {
        const int count = 5, features = 64;
        var rng = new Rng(11);
        var pixels = new float[count * features];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = rng.NextInt(256);
        string pixelsPath = _h.Path_("pixels.bin");
        var bytes = new byte[pixels.Length * 4];
        Buffer.BlockCopy(pixels, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(pixelsPath, bytes);
        string path = _h.Path_("torch.safetensors");

        string stdout = Python.Run(Python.SafeTensorsFormat + """
            out_path, pixels_path, count = sys.argv[2], sys.argv[3], int(sys.argv[4])
            torch.manual_seed(0)
            model = eval(sys.argv[1])
            with torch.no_grad():
                for m in model:
                    if isinstance(m, (BatchNorm1d, BatchNorm2d)):
                        m.running_mean.uniform_(-0.5, 0.5)
                        m.running_var.uniform_(0.5, 2.0)
                        m.weight.uniform_(0.5, 1.5)
                        m.bias.uniform_(-0.3, 0.3)
            save(out_path, model.state_dict())
            sidecar = {'layers': [repr(m) for m in model], 'input_mean': 0.2860, 'input_std': 0.3530, 'input_shape': [1, 8, 8], 'class_names': ['a', 'b', 'c', 'd']}
            json.dump(sidecar, open(out_path + '.json', 'w'))
            model.eval()
            pixels = torch.frombuffer(bytearray(open(pixels_path, 'rb').read()), dtype=torch.float32)
            x = ((pixels / 255 - sidecar['input_mean']) / sidecar['input_std']).reshape([count, 1, 8, 8])
            with torch.no_grad():
                print(json.dumps(model(x).tolist()))
            """, model, path, pixelsPath, count.ToString(CultureInfo.InvariantCulture));
        var expected = JsonDocument.Parse(stdout).RootElement.EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(v => v.GetDouble()).ToArray();

        var (code, output, err) = _h.Run("import", "--from", path, "--out", _h.Path_("m.fcnlab"));
        Assert.True(code == 0, err);
        Assert.Contains("(from the sidecar's layers), input [1, 8, 8], 4 classes", output);
        var contents = ModelFile.Load(_h.Path_("m.fcnlab"));
        Assert.Equal(["a", "b", "c", "d"], contents.ClassNames);
        using var pool = new WorkerPool(1);
        var network = ModelFile.BuildNetwork(contents, pool, "m.fcnlab");
        var x = contents.Normalization.Apply(new ImageSet(pixels, new int[count], features), Enumerable.Range(0, count).ToArray());
        var actual = network.Forward(x, training: false).Span.ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4 * Math.Max(1, Math.Abs(expected[i])), $"logit {i}: FcnLab {actual[i]}, PyTorch {expected[i]}");
    }
}
