using System.Text.Json;
using FcnLab.Engine;
using FcnLab.Engine.Data;
using FcnLab.Engine.Init;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Models;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using FcnLab.Interop.Onnx;
using FcnLab.Interop.Onnx.Proto;

namespace FcnLab.Interop.Tests.Onnx;

public sealed class OnnxExporterTests : IDisposable
{
    private static readonly Normalization Standardize = new(NormalizeKind.Standardize, 72.94f, 90.02f);
    private readonly string _dir = Directory.CreateTempSubdirectory("fcnlab-onnx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ModelSpec Dense(Activation activation) =>
        new(new DenseShorthand([9, 6], activation, 0.2f, BatchNorm: true, Dropout: 0.25f).ToArchSpec(), [1, 5, 5], 4);

    private static ModelSpec Arch(string arch, int[] inputShape, int classes = 5) => new(ArchSpec.Parse(arch), inputShape, classes);

    private static string[] ClassNames(int classes) => Enumerable.Range(0, classes).Select(c => $"class \"{c}\" é").ToArray();

    /// <summary>
    /// A model as a model file holds it (Serialize, Parse): random initialization, batch-norm running
    /// statistics moved by a few training-mode forwards, and random gamma and beta, so batch norm is
    /// far from the identity.
    /// </summary>
    private static ModelContents Model(ModelSpec spec, Normalization normalization, ulong seed)
    {
        using var pool = new WorkerPool(1);
        var net = NetworkBuilder.Build(spec, pool, new Rng(seed));
        NetworkBuilder.Initialize(net, spec, InitScheme.KaimingUniform, 1, new Rng(seed));
        var rng = new Rng(seed + 1);
        for (int step = 0; step < 3; step++) net.Forward(Normalized(Pixels(8, spec.InputFeatures, rng), 8, normalization), training: true);
        var norms = AllLayers(net.Layers).OfType<BatchNormBase>().ToList();
        foreach (var bn in norms)
        {
            for (int j = 0; j < bn.Features; j++)
            {
                bn.Weight.Value[j] = rng.Uniform(0.5f, 1.5f);
                bn.Bias.Value[j] = rng.Uniform(-0.5f, 0.5f);
            }
        }
        Assert.All(norms, bn => Assert.DoesNotContain(0f, bn.RunningMean.ToArray()));
        byte[] bytes = ModelFile.Serialize(spec, normalization, ClassNames(spec.Classes), net);
        return ModelFile.Parse(bytes, "test.fcnlab");
    }

    /// <summary>The layers, and inside res blocks theirs (depth first).</summary>
    private static IEnumerable<Layer> AllLayers(IEnumerable<Layer> layers) =>
        layers.SelectMany(l => l is Residual block ? AllLayers(block.Parts().Select(p => p.Layer)) : [l]);

    /// <summary>[batch, features] whole pixel values in 0..255, as FcnLab's data sets hold them.</summary>
    private static float[] Pixels(int batch, int features, Rng rng)
    {
        var x = new float[batch * features];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextInt(256);
        return x;
    }

    private static Tensor Normalized(float[] pixels, int batch, Normalization n)
    {
        var t = Tensor.Zeros(batch, pixels.Length / batch);
        Normalization.Normalize(pixels, t.Span, n.Mean, n.Std);
        return t;
    }

    /// <summary>FcnLab's logits [batch * classes]: the model file loaded into a fresh network, pixels normalized as training does, eval mode.</summary>
    private static float[] FcnLabLogits(ModelContents model, float[] pixels, int batch)
    {
        using var pool = new WorkerPool(1);
        var net = ModelFile.BuildNetwork(model, pool, "test.fcnlab");
        return net.Forward(Normalized(pixels, batch, model.Normalization), training: false).ToArray();
    }

    private static float[] Flat(JsonElement rows) => rows.EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(v => (float)v.GetDouble()).ToArray();

    /// <summary>
    /// Exports <paramref name="model"/>, checks it with onnx and evaluates it with numpy and with ONNX
    /// Runtime on batches of 1 and 3 random images, and compares both with FcnLab's logits: |onnx -
    /// fcnlab| &lt;= 1e-4 * max(1, max |logit|) per element (relative to the largest logit, absolute
    /// below 1). Returns the numpy check's JSON.
    /// </summary>
    private JsonElement ExportAndCompare(ModelContents model, OnnxExportOptions options, ulong seed)
    {
        string path = Path.Combine(_dir, "model.onnx");
        OnnxExporter.Write(model, path, options);
        var rng = new Rng(seed);
        int[] batches = [1, 3];
        var pixels = batches.Select(b => Pixels(b, model.Spec.InputFeatures, rng)).ToArray();
        var check = OnnxNumpyCheck.Run(path, batches.Select((b, i) => ((int[])[b, .. model.Spec.InputShape], pixels[i])));

        Assert.Equal(8, check.GetProperty("ir_version").GetInt32());
        Assert.Equal(options.Opset, check.GetProperty("opsets").GetProperty("").GetInt32());
        var results = check.GetProperty("results");
        for (int i = 0; i < batches.Length; i++)
        {
            float[] expected = FcnLabLogits(model, pixels[i], batches[i]);
            float scale = Math.Max(1f, expected.Max(Math.Abs));
            foreach (var (evaluator, actual) in new[]
                     {
                         ("numpy", Flat(results[i].GetProperty("logits"))),
                         ("ONNX Runtime", OnnxRuntimeCheck.Logits(path, [batches[i], .. model.Spec.InputShape], pixels[i])),
                     })
            {
                Assert.Equal(batches[i] * model.Spec.Classes, actual.Length);
                for (int j = 0; j < expected.Length; j++)
                    Assert.True(Math.Abs(actual[j] - expected[j]) <= 1e-4f * scale,
                        $"batch {batches[i]}, logit {j}: {evaluator} {actual[j]}, FcnLab {expected[j]} (tolerance {1e-4f * scale})");
            }

            if (options.Softmax)
            {
                var probabilities = results[i].GetProperty("probabilities").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
                Assert.Equal(batches[i], probabilities.Length);
                foreach (var row in probabilities)
                {
                    Assert.Equal(1.0, row.Sum(), 1e-5);
                    Assert.All(row, p => Assert.InRange(p, 0.0, 1.0));
                }
                // Largest probability where the largest logit is.
                for (int r = 0; r < batches[i]; r++)
                {
                    var logits = expected.AsSpan(r * model.Spec.Classes, model.Spec.Classes).ToArray();
                    Assert.Equal(Array.IndexOf(logits, logits.Max()), Array.IndexOf(probabilities[r], probabilities[r].Max()));
                }
            }
            else
            {
                Assert.False(results[i].TryGetProperty("probabilities", out _));
            }
        }

        // The batch dimension is symbolic in the inferred graph; the rest as the model's shapes say.
        Assert.Equal(JsonSerializer.Serialize<object[]>(["N", .. model.Spec.InputShape.Cast<object>()]), check.GetProperty("inputs").GetProperty("input").GetRawText().Replace(" ", ""));
        Assert.Equal($"[\"N\",{model.Spec.Classes}]", check.GetProperty("outputs").GetProperty("logits").GetRawText().Replace(" ", ""));
        if (options.Softmax) Assert.Equal($"[\"N\",{model.Spec.Classes}]", check.GetProperty("outputs").GetProperty("probabilities").GetRawText().Replace(" ", ""));
        Assert.Equal(options.Softmax ? 2 : 1, check.GetProperty("outputs").EnumerateObject().Count());

        // What onnx reads back as metadata.
        var metadata = check.GetProperty("metadata");
        Assert.Equal(model.ClassNames, JsonSerializer.Deserialize<string[]>(metadata.GetProperty("class_names").GetString()!));
        Assert.DoesNotContain("Dropout", check.GetProperty("ops").EnumerateArray().Select(o => o.GetString()));
        return check;
    }

    [Theory]
    [InlineData(Activation.ReLU, 13, false)]
    [InlineData(Activation.LeakyReLU, 14, true)]
    [InlineData(Activation.Tanh, 15, false)]
    [InlineData(Activation.Sigmoid, 17, true)]
    public void Dense_MatchesFcnLab_InAnIndependentNumpyEvaluation(Activation activation, int opset, bool softmax)
    {
        var model = Model(Dense(activation), Standardize, 11);
        var check = ExportAndCompare(model, new OnnxExportOptions { Opset = opset, Softmax = softmax }, 21);
        // Images in, flattened by the graph: Sub, Div, Flatten, then the layers.
        string[] ops = check.GetProperty("ops").EnumerateArray().Select(o => o.GetString()!).ToArray();
        string act = activation switch { Activation.ReLU => "Relu", Activation.LeakyReLU => "LeakyRelu", Activation.Tanh => "Tanh", _ => "Sigmoid" };
        Assert.Equal(["Sub", "Div", "Flatten", "Gemm", "BatchNormalization", act, "Gemm", "BatchNormalization", act, "Gemm", .. (softmax ? (string[])["Softmax"] : [])], ops);
    }

    [Fact]
    public void DenseArch_OnFlatFeatures_TakesNByFeatures()
    {
        var spec = Arch("dense(8) batchnorm leaky-relu(0.3) dropout(0.2) dense(6) tanh dense(7) sigmoid dense(classes)", [12], classes: 3);
        var model = Model(spec, Normalization.Scale, 5);
        var check = ExportAndCompare(model, new OnnxExportOptions { Softmax = true }, 6);
        Assert.DoesNotContain("Flatten", check.GetProperty("ops").EnumerateArray().Select(o => o.GetString()));
    }

    [Theory]
    // Every CNN layer: two channels in, odd sizes, strides, padding (avgpool's counts the padding as zeros), no bias, dropout.
    [InlineData("conv(4,3,pad=1) batchnorm relu maxpool(2) conv(6,3,stride=2,pad=1,bias=false) batchnorm tanh avgpool(3,stride=2,pad=1) flatten dense(10) leaky-relu(0.1) dropout(0.3) dense(classes)", new[] { 2, 11, 11 }, true)]
    [InlineData("conv(3,2) sigmoid avgpool(2) maxpool(3,stride=1,pad=1) flatten batchnorm dense(classes)", new[] { 1, 9, 7 }, false)]
    [InlineData("lenet5", new[] { 1, 28, 28 }, false)]
    [InlineData("cnn", new[] { 1, 28, 28 }, true)]
    [InlineData("resnet", new[] { 1, 28, 28 }, false)]
    // Res blocks with a projection (channels and stride), the identity, one nested in another, and a ReLU fused into a block.
    [InlineData("conv(4,3,pad=1) batchnorm relu res(conv(6,3,stride=2,pad=1) batchnorm relu conv(6,3,pad=1,bias=false) batchnorm) relu "
        + "res(conv(6,3,pad=1) tanh res(conv(6,1) batchnorm)) res(conv(8,1) batchnorm) gap dense(classes)", new[] { 2, 9, 7 }, true)]
    public void Cnn_MatchesFcnLab_InAnIndependentNumpyEvaluation_AndInOnnxRuntime(string arch, int[] inputShape, bool softmax)
    {
        var model = Model(Arch(arch, inputShape), Standardize, 3);
        var check = ExportAndCompare(model, new OnnxExportOptions { Softmax = softmax }, 4);
        Assert.Equal(["Sub", "Div"], check.GetProperty("ops").EnumerateArray().Take(2).Select(o => o.GetString()));
    }

    [Fact]
    public void Model_NamesEveryNodeAndTensor_AndCarriesTheMetadata()
    {
        var model = Model(Arch("conv(4,3,pad=1) batchnorm relu maxpool(2) flatten dropout(0.5) dense(classes)", [1, 6, 6]), Standardize, 1);
        var proto = ModelProto.Parser.ParseFrom(OnnxExporter.Export(model, new OnnxExportOptions { Softmax = true }));

        Assert.Equal(8, proto.IrVersion);
        Assert.Equal("fcnlab", proto.ProducerName);
        Assert.Equal(typeof(OnnxExporter).Assembly.GetName().Version!.ToString(3), proto.ProducerVersion);
        Assert.Equal(13, Assert.Single(proto.OpsetImport).Version);

        var nodes = proto.Graph.Node;
        Assert.All(nodes, n => Assert.False(string.IsNullOrEmpty(n.Name)));
        Assert.Equal(nodes.Count, nodes.Select(n => n.Name).Distinct().Count());
        Assert.Equal(["/normalize/Sub", "/normalize/Div", "/0/Conv", "/1/BatchNormalization", "/2/Relu", "/3/MaxPool", "/4/Flatten", "/6/Gemm", "/Softmax"], nodes.Select(n => n.Name));
        Assert.Equal(["logits"], nodes[^2].Output);
        Assert.Equal(["probabilities"], nodes[^1].Output);
        // Initializers: FcnLab's tensors by their names, and the normalization.
        Assert.Equal(model.Tensors.Keys.Order().Append("mean").Append("std").Order(), proto.Graph.Initializer.Select(t => t.Name).Order());
        var weight = proto.Graph.Initializer.Single(t => t.Name == "6.weight");
        Assert.Equal(new long[] { 4 * 3 * 3, 5 }, weight.Dims);

        var metadata = proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(model.ClassNames, JsonSerializer.Deserialize<string[]>(metadata["class_names"]));
        Assert.Equal("""{"kind":"standardize","mean":72.94,"std":90.02}""", metadata["normalization"]);
        Assert.Equal("[1,6,6]", metadata["input_shape"]);
        Assert.StartsWith("\"Conv2d(1, 4,", metadata["architecture"]);
        Assert.Contains("raw pixels on the 0..255 scale", proto.Graph.DocString);
        Assert.Contains("\"mean\" = 72.94", proto.Graph.DocString);
    }

    [Theory]
    [InlineData(12)]
    [InlineData(18)]
    [InlineData(0)]
    public void Opset_OutsideThirteenToSeventeen_IsRefused(int opset)
    {
        var model = Model(Dense(Activation.ReLU), Standardize, 1);
        var e = Assert.Throws<FcnLabException>(() => OnnxExporter.Export(model, new OnnxExportOptions { Opset = opset }));
        Assert.Contains($"opset {opset} is not supported", e.Message);
        Assert.Contains("13 to 17", e.Message);
        string path = Path.Combine(_dir, "refused.onnx");
        Assert.Throws<FcnLabException>(() => OnnxExporter.Write(model, path, new OnnxExportOptions { Opset = opset }));
        Assert.False(File.Exists(path));
    }

    private sealed class Mystery : Layer
    {
        public override string Describe() => "Mystery(7)";
        public override int[] OutputShape(int[] inputShape) => inputShape;
        public override Tensor Forward(Tensor input, bool training) => input;
        public override Tensor? Backward(Tensor gradOutput) => gradOutput;
    }

    [Fact]
    public void UnsupportedLayer_IsRefusedByName()
    {
        var model = Model(Dense(Activation.ReLU), Standardize, 1);
        var network = new Sequential([25], [new Mystery()]);
        var e = Assert.Throws<FcnLabException>(() => OnnxExporter.BuildModel(model, network, new OnnxExportOptions()));
        Assert.Contains("layer 0, Mystery(7)", e.Message);
    }

    [Fact]
    public void MissingOrMisshapenTensors_AreRefusedByName()
    {
        var model = Model(Dense(Activation.ReLU), Standardize, 1);
        var missing = model with { Tensors = model.Tensors.Where(t => t.Key != "1.running_var").ToDictionary() };
        Assert.Contains("no tensor '1.running_var'", Assert.Throws<FcnLabException>(() => OnnxExporter.Export(missing, new OnnxExportOptions())).Message);

        var tensors = model.Tensors.ToDictionary();
        tensors["0.weight"] = ([9, 25], tensors["0.weight"].Values);
        var transposed = model with { Tensors = tensors };
        var e = Assert.Throws<FcnLabException>(() => OnnxExporter.Export(transposed, new OnnxExportOptions()));
        Assert.Contains("'0.weight' has shape [9, 25]", e.Message);
        Assert.Contains("needs [25, 9]", e.Message);
    }

    [Fact]
    public void Write_WritesExportsBytesAtomically_AndTheSameModelGivesTheSameBytes()
    {
        var model = Model(Dense(Activation.Tanh), Standardize, 2);
        var options = new OnnxExportOptions { Softmax = true };
        string path = Path.Combine(_dir, "sub", "m.onnx");
        OnnxExporter.Write(model, path, options);
        Assert.Equal(OnnxExporter.Export(model, options), File.ReadAllBytes(path));
        Assert.Equal(OnnxExporter.Export(Model(Dense(Activation.Tanh), Standardize, 2), options), File.ReadAllBytes(path));
        Assert.Equal(["m.onnx"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));

        // A path through a file cannot be written: a FcnLabException saying which file is in the way.
        string blocked = Path.Combine(path, "x.onnx");
        string message = Assert.Throws<FcnLabException>(() => OnnxExporter.Write(model, blocked, options)).Message;
        Assert.Contains(path, message);
        Assert.StartsWith("Cannot ", message);
        Assert.DoesNotContain("Exception", message);
    }
}
