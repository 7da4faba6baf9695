using System.Text.Json;
using FcnLab.Engine;
using FcnLab.Engine.Data;
using FcnLab.Engine.Init;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Models;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using FcnLab.Interop.SafeTensors;

namespace FcnLab.Interop.Tests.SafeTensors;

/// <summary>
/// Exports and imports checked against PyTorch 1.13 itself: an exported model loads into the
/// nn.Sequential its sidecar describes with load_state_dict(strict=True) and gives FcnLab's logits, and
/// PyTorch-initialized weights imported into FcnLab give PyTorch's logits. PyTorch 1.13 has no
/// safetensors package, so the scripts read and write the format with struct and json.
/// </summary>
public sealed class SafeTensorsPyTorchTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fcnlab-safetensors-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }

    // A dense shorthand model with batch norm; an arch-spec dense model; a CNN with both pools (padded), BatchNorm2d and two channels in.
    public static TheoryData<string?, int[]> Models => new()
    {
        { null, [1, 6, 6] },
        { "flatten dense(12) batchnorm leaky-relu(0.1) dropout(0.3) dense(9) tanh dense(classes)", [1, 6, 6] },
        { "conv(4,3,pad=1) batchnorm relu maxpool(3,stride=2,pad=1) conv(6,3) leaky-relu(0.1) avgpool(2,stride=1,pad=1) flatten dropout(0.2) dense(10) sigmoid dense(classes)", [2, 10, 10] },
    };

    private static ModelSpec Spec(string? arch, int[] inputShape, int classes) => arch == null
        ? new ModelSpec(new DenseShorthand([10, 7], Activation.Tanh, 0.01f, BatchNorm: true, Dropout: 0).ToArchSpec(), inputShape, classes)
        : new ModelSpec(ArchSpec.Parse(arch), inputShape, classes);

    /// <summary>Random pixels 0..255 as the data sets hold them, [count, features].</summary>
    private static float[] Pixels(int count, int features, ulong seed)
    {
        var rng = new Rng(seed);
        var pixels = new float[count * features];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = rng.NextInt(256);
        return pixels;
    }

    private string WriteFloats(string name, float[] values)
    {
        string path = Path.Combine(_root, name);
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static float[] Logits(Sequential network, Tensor x) => network.Forward(x, training: false).Span.ToArray();

    private static void AssertClose(float[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * Math.Max(1, Math.Abs(expected[i])), $"{what}: logit {i} is {actual[i]}, expected {expected[i]}");
    }

    private static double[] ParseLogits(string stdout) =>
        JsonDocument.Parse(stdout).RootElement.EnumerateArray().SelectMany(row => row.EnumerateArray()).Select(v => v.GetDouble()).ToArray();

    /// <summary>
    /// A model of <paramref name="spec"/> (3 classes) with its batch norms' statistics and affine parameters
    /// away from their resets (so eval mode is really tested), exported to model.safetensors; with
    /// <paramref name="count"/> random images and FcnLab's logits for them.
    /// </summary>
    private (string Path, float[] Pixels, float[] Logits) Exported(ModelSpec spec, WorkerPool pool, int count)
    {
        var network = NetworkBuilder.Build(spec, pool, new Rng(0));
        NetworkBuilder.Initialize(network, spec, InitScheme.Default, 1, new Rng(5));
        var rng = new Rng(6);
        foreach (var bn in AllLayers(network.Layers).OfType<BatchNormBase>())
            for (int j = 0; j < bn.Features; j++)
            {
                bn.RunningMean[j] = rng.Uniform(-0.5f, 0.5f);
                bn.RunningVar[j] = rng.Uniform(0.5f, 2f);
                bn.Weight.Value[j] = rng.Uniform(0.5f, 1.5f);
                bn.Bias.Value[j] = rng.Uniform(-0.3f, 0.3f);
            }
        var normalization = new Normalization(NormalizeKind.Standardize, 72.94f, 90.02f);
        var model = ModelFile.Parse(ModelFile.Serialize(spec, normalization, ["a", "b", "c"], network), "model");
        string path = Path.Combine(_root, "model.safetensors");
        SafeTensorsExporter.Write(model, path);

        int features = Tensor.SizeOf(spec.InputShape);
        var pixels = Pixels(count, features, 9);
        var x = normalization.Apply(new ImageSet(pixels, new int[count], features), Enumerable.Range(0, count).ToArray());
        return (path, pixels, Logits(network, x));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Export_LoadsStrictlyIntoTheSidecarsSequential_AndGivesFcnLabsLogits(string? arch, int[] inputShape)
    {
        const int count = 7;
        using var pool = new WorkerPool(1);
        var (path, pixels, expected) = Exported(Spec(arch, inputShape, 3), pool, count);
        Assert.True(File.Exists(path + ".json"));

        string stdout = Python.Run(Python.SafeTensorsFormat + """
            model_path, pixels_path, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
            sidecar = json.load(open(model_path + '.json'))
            model = Sequential(*[eval(layer) for layer in sidecar['layers']])
            model.load_state_dict(load(model_path), strict=True)
            model.eval()
            pixels = torch.frombuffer(bytearray(open(pixels_path, 'rb').read()), dtype=torch.float32)
            x = (pixels / 255 - sidecar['input_mean']) / sidecar['input_std']
            x = x.reshape([count] + sidecar['input_shape'])
            with torch.no_grad():
                print(json.dumps(model(x).tolist()))
            """, path, WriteFloats("pixels.bin", pixels), count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        AssertClose(expected, ParseLogits(stdout), "PyTorch on FcnLab's export");
    }

    // Networks the sidecar's chain of torch.nn reprs cannot build (res blocks with and without a projection, one nested, gap), and a chain one.
    public static TheoryData<string, int[]> ScriptModels => new()
    {
        { "resnet", [1, 28, 28] },
        { "conv(4,3,pad=1) batchnorm relu res(conv(6,3,stride=2,pad=1) batchnorm relu conv(6,3,pad=1,bias=false) batchnorm) relu res(conv(6,3,pad=1) tanh res(conv(6,1) batchnorm)) gap dense(classes)", [2, 9, 7] },
        { "conv(4,3,pad=1) batchnorm relu maxpool(2) flatten dense(8) batchnorm relu dense(classes)", [1, 6, 6] },
    };

    /// <summary>The layers, and inside res blocks theirs (depth first).</summary>
    private static IEnumerable<Layer> AllLayers(IEnumerable<Layer> layers) =>
        layers.SelectMany(l => l is Residual block ? AllLayers(block.Parts().Select(p => p.Layer)) : [l]);

    [Theory]
    [MemberData(nameof(ScriptModels))]
    public void Export_PythonFile_DefinesTheNetwork_LoadsTheSafetensorsStrictly_AndGivesFcnLabsLogits(string arch, int[] inputShape)
    {
        const int count = 5;
        using var pool = new WorkerPool(1);
        var (path, pixels, expected) = Exported(Spec(arch, inputShape, 3), pool, count);
        Assert.True(File.Exists(Path.Combine(_root, "model.py")));

        // As the file's own usage says: import it by path, build Network(), load the weights strictly.
        string stdout = Python.Run("""
            import importlib.util, json, sys
            import torch
            model_path, pixels_path, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
            spec = importlib.util.spec_from_file_location("fcnlab_network", model_path[:-len(".safetensors")] + ".py")
            net = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(net)
            model = net.Network()
            model.load_state_dict(net.load_safetensors(model_path), strict=True)
            model.eval()
            sidecar = json.load(open(model_path + '.json'))
            pixels = torch.frombuffer(bytearray(open(pixels_path, 'rb').read()), dtype=torch.float32)
            x = ((pixels / 255 - sidecar['input_mean']) / sidecar['input_std']).reshape([count] + sidecar['input_shape'])
            with torch.no_grad():
                print(json.dumps(model(x).tolist()))
            """, path, WriteFloats("pixels.bin", pixels), count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        AssertClose(expected, ParseLogits(stdout), "PyTorch with the export's Python file");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Import_OfPyTorchInitializedWeights_GivesPyTorchsLogits(string? arch, int[] inputShape)
    {
        const int classes = 4, count = 6;
        var spec = Spec(arch, inputShape, classes);
        using var pool = new WorkerPool(1);
        var built = NetworkBuilder.Build(spec, pool, new Rng(0));
        var layers = built.Layers.Select(PyTorchModules.Describe).ToArray();
        int features = Tensor.SizeOf(inputShape);
        var rng = new Rng(3);
        var inputs = new float[count * features];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (float)rng.NextGaussian();

        string path = Path.Combine(_root, "torch.safetensors");
        string stdout = Python.Run(Python.SafeTensorsFormat + """
            out_path, layers, inputs_path, count = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], int(sys.argv[4])
            torch.manual_seed(0)
            model = Sequential(*[eval(layer) for layer in layers])
            with torch.no_grad():
                for m in model:
                    if isinstance(m, (BatchNorm1d, BatchNorm2d)):
                        m.running_mean.uniform_(-0.5, 0.5)
                        m.running_var.uniform_(0.5, 2.0)
                        m.weight.uniform_(0.5, 1.5)
                        m.bias.uniform_(-0.3, 0.3)
                        m.num_batches_tracked.fill_(17)
            save(out_path, model.state_dict())
            model.eval()
            shape = [count] + [int(d) for d in sys.argv[5].split(',')]
            x = torch.frombuffer(bytearray(open(inputs_path, 'rb').read()), dtype=torch.float32).reshape(shape)
            with torch.no_grad():
                print(json.dumps(model(x).tolist()))
            """, path, JsonSerializer.Serialize(layers), WriteFloats("inputs.bin", inputs), count.ToString(System.Globalization.CultureInfo.InvariantCulture), string.Join(",", built.InputShape));
        var expected = ParseLogits(stdout);

        // The inputs are already normalized: import with the identity normalization.
        string modelPath = Path.Combine(_root, "imported.fcnlab");
        SafeTensorsImporter.Import(path, spec, Normalization.Identity, ["0", "1", "2", "3"], modelPath);
        var contents = ModelFile.Load(modelPath);
        var network = ModelFile.BuildNetwork(contents, pool, modelPath);
        var actual = Logits(network, Tensor.From(inputs, count, features));
        AssertClose(actual, expected, "FcnLab on PyTorch's weights");
    }

    [Fact]
    public void Import_ThatDoesNotMatchTheArchitecture_ListsEveryMismatch()
    {
        // The file of a 36-8-3 dense network, checked against a 36-5-3 one with batch norm.
        string path = Path.Combine(_root, "other.safetensors");
        File.WriteAllBytes(path, SafeTensorsFile.Serialize(
        [
            SafeTensor.Float32("0.weight", [8, 36], new float[8 * 36]),
            SafeTensor.Float32("0.bias", [8], new float[8]),
            SafeTensor.Float32("2.weight", [3, 8], new float[3 * 8]),
            SafeTensor.Float32("2.bias", [3], new float[3]),
            SafeTensor.Float32("model.extra", [1], [0f]),
        ]));
        var spec = new ModelSpec(new DenseShorthand([5], Activation.ReLU, 0.01f, BatchNorm: true, Dropout: 0).ToArchSpec(), [1, 6, 6], 3);
        var e = Assert.Throws<FcnLabException>(() => SafeTensorsImporter.Import(path, spec, Normalization.Scale, ["a", "b", "c"], Path.Combine(_root, "x.fcnlab")));
        Assert.Contains("missing keys: 1.weight, 1.bias, 1.running_mean, 1.running_var, 3.weight, 3.bias", e.Message);
        Assert.Contains("unexpected keys: 2.weight, 2.bias, model.extra", e.Message);
        Assert.Contains("0.weight has shape [8, 36] in the file, the network expects [5, 36]", e.Message);
        Assert.Contains("0: Linear(36, 5), 1: BatchNorm1d(5, eps=1e-05, momentum=0.1), 2: ReLU(), 3: Linear(5, 3)", e.Message);
        Assert.False(File.Exists(Path.Combine(_root, "x.fcnlab")));
    }

    [Fact]
    public void Sidecar_DescribesTheLayersAndTheNormalizationOnTheUnitScale()
    {
        var spec = new ModelSpec(new DenseShorthand([5], Activation.LeakyReLU, 0.2f, BatchNorm: true, Dropout: 0.25f).ToArchSpec(), [1, 6, 6], 3);
        using var pool = new WorkerPool(1);
        var network = NetworkBuilder.Build(spec, pool, new Rng(0));
        var model = ModelFile.Parse(ModelFile.Serialize(spec, new Normalization(NormalizeKind.Standardize, 51f, 102f), ["a", "b", "c"], network), "m");
        var (bytes, sidecar) = SafeTensorsExporter.Export(model);
        Assert.Equal(["Linear(36, 5)", "BatchNorm1d(5, eps=1e-05, momentum=0.1)", "LeakyReLU(0.2)", "Dropout(0.25)", "Linear(5, 3)"], sidecar.Layers);
        Assert.Equal([36], sidecar.InputShape!);
        Assert.Equal([1, 6, 6], sidecar.FcnLabInputShape!);
        Assert.Equal(0.2, sidecar.InputMean!.Value, 12);
        Assert.Equal(0.4, sidecar.InputStd!.Value, 12);
        var (tensors, metadata) = SafeTensorsFile.Parse(bytes, "m");
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked", "4.weight", "4.bias"], tensors.Select(t => t.Name));
        Assert.Equal([5, 36], tensors[0].Shape);
        Assert.Equal("pt", metadata["format"]);

        string path = Path.Combine(_root, "s.json");
        sidecar.Write(path);
        var read = SafeTensorsSidecar.Read(path);
        Assert.Equal(sidecar.Layers, read.Layers);
        Assert.Equal(model.Normalization, read.FcnLabNormalization());
        Assert.Equal(["a", "b", "c"], read.ClassNames);

        Assert.Equal("Conv2d(1, 6, 5, stride=1, padding=2)", PyTorchModules.Describe(new Conv2d(1, 6, 5, 1, 2)));
        Assert.Equal("Conv2d(3, 8, 3, stride=2, padding=0, bias=False)", PyTorchModules.Describe(new Conv2d(3, 8, 3, 2, 0, bias: false)));
        Assert.Equal("MaxPool2d(2, stride=2)", PyTorchModules.Describe(new MaxPool2d(2)));
        Assert.Equal("AvgPool2d(3, stride=1, padding=1)", PyTorchModules.Describe(new AvgPool2d(3, 1, 1)));
        Assert.Equal("Flatten()", PyTorchModules.Describe(new Flatten()));
    }
}
