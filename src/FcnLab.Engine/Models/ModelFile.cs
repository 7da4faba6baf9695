using System.Buffers.Binary;
using System.Text.Json;
using System.Text;
using FcnLab.Engine.Data;
using FcnLab.Engine.IO;
using FcnLab.Engine.Init;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Models;

/// <summary>What a model file holds: the architecture, the input normalization, class names and every tensor by name.</summary>
public sealed record ModelContents(ModelSpec Spec, Normalization Normalization, string[] ClassNames, IReadOnlyDictionary<string, (int[] Shape, float[] Values)> Tensors);

/// <summary>
/// The model file (<c>model.fcnlab</c>): magic, format version, a JSON header (architecture,
/// normalization, class names, tensor names and shapes), the tensors as little-endian float32 in
/// header order, and a SHA-256 of everything before it. Nothing depends on the host or the time, so
/// identical trainings give byte-identical files. Tensor names follow PyTorch's state_dict
/// ("0.weight", "1.running_mean"); Linear weights are stored [in, out], the transpose of PyTorch's,
/// Conv2d weights [out, in, k, k] as PyTorch's.
/// <para>
/// Version 1 holds the dense shorthand (hidden widths, activation, batch norm, dropout); version 2,
/// written for architecture specs only, holds the spec's text instead. Dense models are still written
/// as version 1, byte for byte as before, and both versions are read.
/// </para>
/// </summary>
public static class ModelFile
{
    private static readonly byte[] Magic = [0x89, (byte)'F', (byte)'C', (byte)'N', (byte)'L', (byte)'A', (byte)'B', (byte)'\n'];
    public const int FormatVersion = 2;
    private const int DenseFormatVersion = 1;
    private const string Kind = "model";

    /// <summary>True when <paramref name="bytes"/> start like a model file (to tell it apart from other FcnLab files).</summary>
    public static bool HasMagic(ReadOnlySpan<byte> bytes) => bytes.StartsWith(Magic);

    /// <summary>The network's tensors in a fixed order: per layer, its parameters then its buffers.</summary>
    public static IEnumerable<(string Name, Tensor Value)> NamedTensors(Sequential network)
    {
        for (int i = 0; i < network.Layers.Count; i++)
        {
            foreach (var p in network.Layers[i].Parameters) yield return ($"{i}.{p.Name}", p.Value);
            foreach (var (name, value) in network.Layers[i].Buffers) yield return ($"{i}.{name}", value);
        }
    }

    public static byte[] Serialize(ModelSpec spec, Normalization normalization, IReadOnlyList<string> classNames, Sequential network)
    {
        var tensors = NamedTensors(network).ToList();
        var header = new MemoryStream();
        using (var w = new Utf8JsonWriter(header))
        {
            w.WriteStartObject();
            w.WriteString("format", "fcnlab-model");
            w.WriteStartObject("architecture");
            WriteInts(w, "input_shape", spec.InputShape);
            w.WriteNumber("classes", spec.Classes);
            if (spec.Arch != null)
            {
                w.WriteString("arch", spec.Arch);
            }
            else
            {
                WriteInts(w, "hidden", spec.Hidden);
                w.WriteString("activation", Names.Activation(spec.Activation));
                w.WriteNumber("leaky_slope", spec.LeakySlope);
                w.WriteBoolean("batch_norm", spec.BatchNorm);
                w.WriteNumber("dropout", spec.Dropout);
            }
            w.WriteEndObject();
            w.WriteStartObject("normalization");
            w.WriteString("kind", Normalization.Name(normalization.Kind));
            w.WriteNumber("mean", normalization.Mean);
            w.WriteNumber("std", normalization.Std);
            w.WriteEndObject();
            w.WriteStartArray("class_names");
            foreach (var c in classNames) w.WriteStringValue(c);
            w.WriteEndArray();
            w.WriteStartArray("tensors");
            foreach (var (name, value) in tensors)
            {
                w.WriteStartObject();
                w.WriteString("name", name);
                WriteInts(w, "shape", value.Shape);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        long floats = tensors.Sum(t => (long)t.Value.Length);
        int version = spec.Arch != null ? FormatVersion : DenseFormatVersion;
        return ChecksummedFile.Build(Magic, version, header.ToArray(), 8 + floats * 4, output =>
        {
            Span<byte> count = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(count, floats);
            output.Write(count);
            foreach (var (_, value) in tensors) ChecksummedFile.WriteFloats(output, value.Span);
        });
    }

    public static void Save(string path, ModelSpec spec, Normalization normalization, IReadOnlyList<string> classNames, Sequential network) =>
        AtomicFile.WriteAllBytes(path, Serialize(spec, normalization, classNames, network));

    /// <summary>Reads a model file or a run directory holding model.fcnlab.</summary>
    public static ModelContents Load(string path)
    {
        if (Directory.Exists(path)) path = Path.Combine(path, "model.fcnlab");
        if (!File.Exists(path))
            throw new FcnLabException($"Model file '{path}' does not exist. Pass --model with a model.fcnlab file or a run directory that holds one.");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new FcnLabException($"Cannot read model file '{path}': {e.Message}", e); }
        catch (UnauthorizedAccessException e) { throw new FcnLabException($"Cannot read model file '{path}': {e.Message}", e); }
        return Parse(bytes, path);
    }

    public static ModelContents Parse(byte[] bytes, string path)
    {
        string Bad(string what) => ChecksummedFile.Invalid(path, Kind, what);
        var (version, header, payload) = ChecksummedFile.Open(bytes, Magic, DenseFormatVersion, FormatVersion, path, Kind, minPayload: 8);
        try
        {
            using var doc = JsonDocument.Parse(header);
            var root = doc.RootElement;
            var arch = root.GetProperty("architecture");
            var norm = root.GetProperty("normalization");
            ModelSpec spec;
            Normalization normalization;
            try
            {
                spec = version == DenseFormatVersion
                    ? new ModelSpec
                    {
                        InputShape = ReadInts(arch.GetProperty("input_shape")),
                        Classes = arch.GetProperty("classes").GetInt32(),
                        Hidden = ReadInts(arch.GetProperty("hidden")),
                        Activation = Names.ParseActivation(ChecksummedFile.Text(arch.GetProperty("activation"))),
                        LeakySlope = arch.GetProperty("leaky_slope").GetSingle(),
                        BatchNorm = arch.GetProperty("batch_norm").GetBoolean(),
                        Dropout = arch.GetProperty("dropout").GetSingle(),
                    }
                    : new ModelSpec
                    {
                        InputShape = ReadInts(arch.GetProperty("input_shape")),
                        Classes = arch.GetProperty("classes").GetInt32(),
                        Arch = ChecksummedFile.Text(arch.GetProperty("arch")),
                        Hidden = [],
                    };
                NetworkBuilder.Validate(spec);
                normalization = new Normalization(Normalization.ParseKind(ChecksummedFile.Text(norm.GetProperty("kind"))),
                    norm.GetProperty("mean").GetSingle(), norm.GetProperty("std").GetSingle());
            }
            catch (FcnLabException e)
            {
                // The shared checks (activation names, class counts, ...) do not know which file they read.
                throw new FcnLabException(Bad($"its header has a value FcnLab refuses: {e.Message.TrimEnd('.')}"), e);
            }
            var classNames = root.GetProperty("class_names").EnumerateArray().Select(e => e.GetString() ?? "").ToArray();
            if (classNames.Length != spec.Classes)
                throw new FcnLabException(Bad($"{classNames.Length} class names for {spec.Classes} classes"));

            var data = payload.Span;
            long floats = BinaryPrimitives.ReadInt64LittleEndian(data);
            int pos = 8;
            if (floats != (data.Length - pos) / 4 || (data.Length - pos) % 4 != 0)
                throw new FcnLabException(Bad($"it declares {floats} values but holds {(data.Length - pos) / 4}"));
            // The network the header describes must fit in the values the file holds: this bounds what
            // building it (eval, --init-from) allocates by the file's size, whatever the header says.
            long parameters;
            try { parameters = NetworkBuilder.CountParameters(spec); }
            catch (OverflowException) { parameters = long.MaxValue; }
            if (parameters > floats)
                throw new FcnLabException(Bad($"its architecture has {(parameters == long.MaxValue ? "more" : parameters)} parameters but the file holds only {floats} values"));

            var tensors = new Dictionary<string, (int[], float[])>();
            foreach (var t in root.GetProperty("tensors").EnumerateArray())
            {
                string name = ChecksummedFile.Text(t.GetProperty("name"));
                int[] shape = ReadInts(t.GetProperty("shape"));
                // Multiplied up only while it fits in what is left, so a huge shape cannot overflow.
                long n = 1, left = (data.Length - pos) / 4;
                bool fits = true;
                foreach (int d in shape)
                {
                    if (d < 0 || (d > 0 && n > left / d)) { fits = false; break; }
                    n *= d;
                }
                if (!fits)
                    throw new FcnLabException(Bad($"tensor {name} [{string.Join(", ", shape)}] does not fit in the file"));
                if (tensors.ContainsKey(name))
                    throw new FcnLabException(Bad($"tensor {name} is listed twice"));
                var values = new float[n];
                ChecksummedFile.ReadFloats(data.Slice(pos, (int)n * 4), values);
                pos += (int)n * 4;
                tensors[name] = (shape, values);
            }
            if (pos != data.Length)
                throw new FcnLabException(Bad("the tensors listed in its header do not cover its data"));
            return new ModelContents(spec, normalization, classNames, tensors);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new FcnLabException(Bad($"its header is malformed ({e.Message})"), e);
        }
    }

    /// <summary>The directory a --model argument names: the run directory itself, or the model file's directory.</summary>
    public static string DirectoryOf(string path) =>
        Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";

    /// <summary>The network <paramref name="contents"/> describes, with its weights (eval, predict, export).</summary>
    public static Sequential BuildNetwork(ModelContents contents, Gemm gemm, string path)
    {
        // Dropout is the identity in eval mode, so its generator is never drawn from.
        var network = NetworkBuilder.Build(contents.Spec, gemm, new Rng(0));
        LoadInto(network, contents, path);
        return network;
    }

    /// <summary>Copies the file's tensors into a network built from the same spec.</summary>
    public static void LoadInto(Sequential network, ModelContents contents, string path)
    {
        foreach (var (name, value) in NamedTensors(network))
        {
            if (!contents.Tensors.TryGetValue(name, out var stored))
                throw new FcnLabException($"Model file '{path}' has no tensor '{name}': it was saved from a different architecture.");
            if (!stored.Shape.SequenceEqual(value.Shape))
                throw new FcnLabException($"Model file '{path}': tensor '{name}' has shape [{string.Join(", ", stored.Shape)}], the network expects [{string.Join(", ", value.Shape)}].");
            stored.Values.CopyTo(value.Span);
        }
    }

    internal static void WriteInts(Utf8JsonWriter w, string name, IEnumerable<int> values)
    {
        w.WriteStartArray(name);
        foreach (int v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    internal static int[] ReadInts(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();
}
