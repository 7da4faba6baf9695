using System.Globalization;
using System.Text;
using System.Text.Json;
using FcnLab.Engine;
using FcnLab.Engine.Data;
using FcnLab.Engine.IO;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Models;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using FcnLab.Engine.Training;
using FcnLab.Interop.Onnx.Proto;
using Google.Protobuf;
using static FcnLab.Interop.Onnx.OnnxGraphBuilder;

namespace FcnLab.Interop.Onnx;

/// <summary>
/// Writes a FcnLab model as an ONNX model (IR version 8, ai.onnx opset 13 to 17) holding the whole
/// inference graph:
/// <list type="bullet">
/// <item>input "input": float32 [N, ...the model's input shape] — images [N, C, H, W] as FcnLab's data
/// hold them (raw pixels, 0..255), N symbolic. A dense model takes the same images and flattens them
/// first (as PyTorch's Flatten -> Linear): a FashionMNIST server hands over [N, 1, 28, 28] whatever
/// the network inside; a model whose input shape is [features] takes [N, features].</item>
/// <item>the normalization (input - mean) / std as Sub and Div nodes with initializers "mean" and "std",
/// not folded into the first layer, so the graph computes exactly what FcnLab computes and the
/// statistics stay visible.</item>
/// <item>per layer: Linear -> Gemm (FcnLab's weight layout [in, out], so transB=0); Conv2d -> Conv;
/// BatchNorm1d/2d -> BatchNormalization with the running statistics (inference form); ReLU, Sigmoid,
/// Tanh, LeakyReLU -> Relu, Sigmoid, Tanh, LeakyRelu(alpha); MaxPool2d -> MaxPool; AvgPool2d ->
/// AveragePool with count_include_pad=1 (FcnLab's and PyTorch's default: padding counts as zeros);
/// Flatten -> Flatten(axis=1); GlobalAvgPool2d -> GlobalAveragePool then Flatten(axis=1); Residual ->
/// its layers' nodes ("/3/body/0/Conv"), the projection's Conv and BatchNormalization when it has one
/// ("/3/downsample/0/Conv"), and Add of the two; Dropout is left out (the identity at inference).</item>
/// <item>output "logits" [N, classes]; with <see cref="OnnxExportOptions.Softmax"/> also
/// "probabilities" = Softmax(logits, axis=1).</item>
/// </list>
/// Initializers carry FcnLab's tensor names ("0.weight", "1.running_mean"); nodes are named PyTorch's
/// way ("/0/Gemm"). metadata_props hold class_names, normalization, input_shape and architecture
/// (JSON). The bytes depend only on the model and the options.
/// </summary>
public static class OnnxExporter
{
    public const int MinOpset = 13;
    public const int MaxOpset = 17;

    /// <summary>IR version 8 (ONNX 1.10+): what Debian's onnx 1.12 checks.</summary>
    public const long IrVersion = 8;

    public const string InputName = "input";
    public const string LogitsName = "logits";
    public const string ProbabilitiesName = "probabilities";
    private const string Batch = "N";

    /// <summary>The ONNX model bytes for a loaded model file.</summary>
    public static byte[] Export(ModelContents model, OnnxExportOptions options) => BuildModel(model, options).ToByteArray();

    /// <summary>Writes <see cref="Export"/>'s bytes to <paramref name="outPath"/> atomically (temp file, then rename).</summary>
    public static void Write(ModelContents model, string outPath, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(outPath);
        byte[] bytes = Export(model, options);
        try { AtomicFile.WriteAllBytes(outPath, bytes); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FcnLabException($"Cannot write the ONNX model to '{outPath}': {e.Message}", e);
        }
    }

    internal static ModelProto BuildModel(ModelContents model, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        // The network gives the layers' structure (kinds, sizes, strides); the values come from the model's tensors.
        using var pool = new WorkerPool(1);
        var network = NetworkBuilder.Build(model.Spec, pool, new Rng(0));
        return BuildModel(model, network, options);
    }

    /// <summary>The ONNX model of <paramref name="network"/> (built from <paramref name="model"/>'s spec) with <paramref name="model"/>'s tensors.</summary>
    internal static ModelProto BuildModel(ModelContents model, Sequential network, OnnxExportOptions options)
    {
        CheckOptions(options);
        var spec = model.Spec;
        if (model.ClassNames.Length != spec.Classes)
            throw new FcnLabException($"The model has {model.ClassNames.Length} class names for {spec.Classes} classes; export a model file FcnLab wrote.");

        var g = new OnnxGraphBuilder();
        g.Graph.Name = "fcnlab";
        g.Graph.Input.Add(BatchedFloat(InputName, Batch, spec.InputShape));

        // Normalization first, as FcnLab applies it to the raw pixels: (x - mean) / std.
        var norm = model.Normalization;
        string x = g.Node("/normalize/Sub", "Sub", "/normalize/Sub_output_0", [InputName, g.Initializer("mean", [], [norm.Mean])]);
        x = g.Node("/normalize/Div", "Div", "/normalize/Div_output_0", [x, g.Initializer("std", [], [norm.Std])]);

        // The dense shorthand's network takes flat rows; the graph takes images and flattens them.
        if (!network.InputShape.SequenceEqual(spec.InputShape))
            x = g.Node("/Flatten", "Flatten", "/Flatten_output_0", [x], Int("axis", 1));

        for (int i = 0; i < network.Layers.Count; i++)
            x = AddLayer(g, model, network.Layers[i], i.ToString(CultureInfo.InvariantCulture), x);

        // The last node's output is the logits (every network ends with a weighted layer, perhaps then layers left out).
        var last = g.Graph.Node[^1];
        if (last.Output[0] != x) throw new InvalidOperationException("The last node must produce the network's output.");
        last.Output[0] = LogitsName;
        g.Graph.Output.Add(BatchedFloat(LogitsName, Batch, [spec.Classes]));
        if (options.Softmax)
        {
            g.Node("/Softmax", "Softmax", ProbabilitiesName, [LogitsName], Int("axis", 1));
            g.Graph.Output.Add(BatchedFloat(ProbabilitiesName, Batch, [spec.Classes]));
        }
        g.Graph.DocString = DocString(spec, norm, options);

        var result = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "fcnlab",
            ProducerVersion = RunDirectory.Version,
            Graph = g.Graph,
            OpsetImport = { new OperatorSetIdProto { Domain = "", Version = options.Opset } },
        };
        AddMetadata(result, "class_names", w =>
        {
            w.WriteStartArray();
            foreach (var name in model.ClassNames) w.WriteStringValue(name);
            w.WriteEndArray();
        });
        AddMetadata(result, "normalization", w =>
        {
            w.WriteStartObject();
            w.WriteString("kind", Normalization.Name(norm.Kind));
            w.WriteNumber("mean", norm.Mean);
            w.WriteNumber("std", norm.Std);
            w.WriteEndObject();
        });
        AddMetadata(result, "input_shape", w =>
        {
            w.WriteStartArray();
            foreach (int d in spec.InputShape) w.WriteNumberValue(d);
            w.WriteEndArray();
        });
        AddMetadata(result, "architecture", w => w.WriteStringValue(network.Describe()));
        return result;
    }

    private static void CheckOptions(OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Opset is < MinOpset or > MaxOpset)
            throw new FcnLabException($"ONNX opset {options.Opset} is not supported: FcnLab exports opsets {MinOpset} to {MaxOpset} (IR version {IrVersion}); use {MinOpset}, the default, unless your runtime needs a newer one.");
    }

    /// <summary>
    /// Adds the nodes of layer <paramref name="name"/> ("3"; inside a res block "3.body.0") after value
    /// <paramref name="x"/>; returns the layer's output value. Nodes are named by its path ("/3/body/0/Conv").
    /// </summary>
    private static string AddLayer(OnnxGraphBuilder g, ModelContents model, Layer layer, string name, string x)
    {
        string path = name.Replace('.', '/');
        string Op(string opType, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
            g.Node($"/{path}/{opType}", opType, $"/{path}/{opType}_output_0", inputs, attributes);
        string Weight(Parameter p) => g.Initializer($"{name}.{p.Name}", p.Shape, Values(model, $"{name}.{p.Name}", p.Shape));
        string Buffer(string buffer, Tensor t) => g.Initializer($"{name}.{buffer}", t.Shape, Values(model, $"{name}.{buffer}", t.Shape));

        switch (layer)
        {
            case Linear linear:
                // y = x W + b with W [in, out] as FcnLab stores it.
                return Op("Gemm", [x, Weight(linear.Weight), Weight(linear.Bias)],
                    Float("alpha", 1f), Float("beta", 1f), Int("transA", 0), Int("transB", 0));
            case Conv2d conv:
            {
                var inputs = new List<string> { x, Weight(conv.Weight) };
                if (conv.Bias != null) inputs.Add(Weight(conv.Bias));
                int k = conv.KernelSize, s = conv.Stride, p = conv.Padding;
                return Op("Conv", inputs, Ints("kernel_shape", k, k), Ints("strides", s, s), Ints("pads", p, p, p, p),
                    Ints("dilations", 1, 1), Int("group", 1));
            }
            case BatchNormBase bn:
                // Channel dimension 1 in both [N, F] and [N, C, H, W]; the running statistics, as FcnLab's eval mode.
                return Op("BatchNormalization",
                    [x, Weight(bn.Weight), Weight(bn.Bias), Buffer("running_mean", bn.RunningMean), Buffer("running_var", bn.RunningVar)],
                    Float("epsilon", (float)bn.Eps));
            case ReLU:
                return Op("Relu", [x]);
            case Sigmoid:
                return Op("Sigmoid", [x]);
            case Tanh:
                return Op("Tanh", [x]);
            case LeakyReLU leaky:
                return Op("LeakyRelu", [x], Float("alpha", leaky.NegativeSlope));
            case Dropout:
                return x;
            case MaxPool2d max:
                return Op("MaxPool", [x], PoolAttributes(max));
            case AvgPool2d avg:
                return Op("AveragePool", [x], [.. PoolAttributes(avg), Int("count_include_pad", 1)]);
            case Flatten:
                return Op("Flatten", [x], Int("axis", 1));
            case GlobalAvgPool2d:
                // [N, C, H, W] -> [N, C, 1, 1] -> [N, C], as PyTorch's AdaptiveAvgPool2d(1) then Flatten export.
                return Op("Flatten", [Op("GlobalAveragePool", [x])], Int("axis", 1));
            case Residual block:
            {
                // body(x) + shortcut(x): the block's layers, the projection (Conv, BatchNormalization) or x itself, then Add.
                string h = x, s = x;
                foreach (var (prefix, part) in block.Parts())
                {
                    if (prefix.StartsWith("body.", StringComparison.Ordinal)) h = AddLayer(g, model, part, $"{name}.{prefix}", h);
                    else s = AddLayer(g, model, part, $"{name}.{prefix}", s);
                }
                return Op("Add", [h, s]);
            }
            default:
                throw new FcnLabException($"ONNX export does not support layer {name}, {layer.Describe()}: FcnLab exports Linear, Conv2d, BatchNorm1d/2d, ReLU, Sigmoid, Tanh, LeakyReLU, Dropout, MaxPool2d, AvgPool2d, Flatten, GlobalAvgPool2d and Residual.");
        }
    }

    private static AttributeProto[] PoolAttributes(Pool2d pool)
    {
        int k = pool.KernelSize, s = pool.Stride, p = pool.Padding;
        return [Ints("kernel_shape", k, k), Ints("strides", s, s), Ints("pads", p, p, p, p), Int("ceil_mode", 0)];
    }

    /// <summary>The model's tensor <paramref name="name"/>, which must have <paramref name="shape"/>.</summary>
    private static float[] Values(ModelContents model, string name, int[] shape)
    {
        if (!model.Tensors.TryGetValue(name, out var stored))
            throw new FcnLabException($"The model has no tensor '{name}', which its architecture needs: it does not match its own spec. Export a model file FcnLab wrote.");
        if (!stored.Shape.SequenceEqual(shape) || stored.Values.Length != Tensor.SizeOf(shape))
            throw new FcnLabException($"The model's tensor '{name}' has shape [{string.Join(", ", stored.Shape)}] and {stored.Values.Length} values; its architecture needs [{string.Join(", ", shape)}]. Export a model file FcnLab wrote.");
        return stored.Values;
    }

    private static void AddMetadata(ModelProto model, string key, Action<Utf8JsonWriter> write)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer)) write(w);
        model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = Encoding.UTF8.GetString(buffer.ToArray()) });
    }

    private static string DocString(ModelSpec spec, Normalization norm, OnnxExportOptions options)
    {
        var ci = CultureInfo.InvariantCulture;
        string shape = string.Join(", ", spec.InputShape);
        var sb = new StringBuilder();
        sb.Append(ci, $"FcnLab model for inference. Input \"{InputName}\": float32 [N, {shape}], raw pixels on the 0..255 scale as FcnLab's data sets hold them");
        sb.Append(spec.InputShape.Length > 1 ? " (images, also for a dense network, which the graph flattens itself). " : ". ");
        sb.Append(ci, $"The graph normalizes them first: ({InputName} - mean) / std with initializers \"mean\" = {norm.Mean.ToString("R", ci)} and \"std\" = {norm.Std.ToString("R", ci)} ");
        sb.Append(ci, $"(FcnLab's '{Normalization.Name(norm.Kind)}' normalization, kept as Sub and Div, not folded into the first layer). ");
        sb.Append("Linear weights keep FcnLab's [in, out] layout (Gemm, transB=0); batch norm uses its running statistics; dropout is left out (the identity at inference). ");
        sb.Append(ci, $"Output \"{LogitsName}\": [N, {spec.Classes}]");
        if (options.Softmax) sb.Append(ci, $"; \"{ProbabilitiesName}\": Softmax({LogitsName}, axis=1)");
        sb.Append(". Class names: metadata_props \"class_names\" (JSON).");
        return sb.ToString();
    }
}
