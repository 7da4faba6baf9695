using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using FcnLab.Engine.Data;
using FcnLab.Engine.IO;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Models;

/// <summary>
/// The model file (<c>model.fcnlab</c>): magic, format version, a JSON header (architecture,
/// normalization, class names, tensor names and shapes), the tensors as little-endian float32 in
/// header order, and a SHA-256 of everything before it. Nothing depends on the host or the time, so
/// identical trainings give byte-identical files. Tensor names follow PyTorch's state_dict
/// ("0.weight", "1.running_mean"); Linear weights are stored [in, out], the transpose of PyTorch's,
/// Conv2d weights [out, in, k, k] as PyTorch's.
/// <para>
/// Version 3, written for every network: the architecture is the spec's canonical text (dense(classes)
/// filled in), with the input shape and class count. Read too: version 2 (the same layout, written for
/// --arch networks) and version 1 (the dense shorthand's settings instead of the text); every version
/// reads into the same <see cref="ModelSpec"/>.
/// </para>
/// <para>
/// Version 4, written only for networks with residual blocks or global average pooling (res(...),
/// gap), which FcnLab before it cannot build: the same layout, a block's tensors named as the PyTorch
/// module of <see cref="Residual"/> names them ("3.body.0.weight", "3.downsample.1.running_var").
/// The other networks are still written as version 3, byte for byte as before.
/// </para>
/// </summary>
public static class ModelFile
{
    private static readonly byte[] Magic = [0x89, (byte)'F', (byte)'C', (byte)'N', (byte)'L', (byte)'A', (byte)'B', (byte)'\n'];
    public const int FormatVersion = 3;
    /// <summary>The version written for networks with res(...) or gap (<see cref="VersionFor"/>).</summary>
    public const int BlockFormatVersion = 4;
    /// <summary>The oldest version read: the dense shorthand's settings in the header.</summary>
    private const int DenseFormatVersion = 1;
    private const string Kind = "model";

    /// <summary>True when <paramref name="bytes"/> start like a model file (to tell it apart from other FcnLab files).</summary>
    public static bool HasMagic(ReadOnlySpan<byte> bytes) => bytes.StartsWith(Magic);

    /// <summary>The network's tensors in a fixed order: per layer, its parameters then its buffers.</summary>
    public static IEnumerable<(string Name, Tensor Value)> NamedTensors(Sequential network)
    {
        for (int i = 0; i < network.Layers.Count; i++)
        {
            foreach (var (name, p) in network.Layers[i].NamedParameters) yield return ($"{i}.{name}", p.Value);
            foreach (var (name, value) in network.Layers[i].Buffers) yield return ($"{i}.{name}", value);
        }
    }

    public static byte[] Serialize(ModelSpec spec, Normalization normalization, IReadOnlyList<string> classNames, Sequential network)
    {
        var tensors = NamedTensors(network).ToList();
        var header = new ModelFileHeader
        {
            Architecture = new ModelFileArchitecture { InputShape = spec.InputShape, Classes = spec.Classes, Arch = spec.Arch.Text },
            Normalization = new ModelFileNormalization(Normalization.Name(normalization.Kind), normalization.Mean, normalization.Std),
            ClassNames = [.. classNames],
            Tensors = [.. tensors.Select(t => new ModelFileTensor(t.Name, t.Value.Shape))],
        };
        long floats = tensors.Sum(t => (long)t.Value.Length);
        return ChecksummedFile.Build(Magic, VersionFor(spec.Arch), JsonSerializer.SerializeToUtf8Bytes(header, ModelFileJson.Default.ModelFileHeader), 8 + floats * 4, output =>
        {
            Span<byte> count = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(count, floats);
            output.Write(count);
            foreach (var (_, value) in tensors) ChecksummedFile.WriteFloats(output, value.Span);
        });
    }

    /// <summary>The format version a network's file is written as: <see cref="BlockFormatVersion"/> with res(...) or gap, else <see cref="FormatVersion"/>.</summary>
    public static int VersionFor(ArchSpec arch) =>
        arch.Layers.Any(l => l.Kind is LayerKind.Res or LayerKind.Gap) ? BlockFormatVersion : FormatVersion;

    public static void Save(string path, ModelSpec spec, Normalization normalization, IReadOnlyList<string> classNames, Sequential network) =>
        AtomicFile.WriteAllBytes(path, Serialize(spec, normalization, classNames, network));

    /// <summary>
    /// Null when every value of tensor <paramref name="name"/> is a finite number; else what is wrong, naming the tensor:
    /// NaN or infinite weights are not a model (a diverged training, a damaged or hand-edited file), whatever else holds.
    /// </summary>
    public static string? NonFinite(string name, ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                return string.Create(CultureInfo.InvariantCulture, $"tensor {name} holds {(float.IsNaN(values[i]) ? "NaN" : values[i] > 0 ? "+infinity" : "-infinity")} at index {i}; a model's weights must be finite numbers");
        return null;
    }

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
        var (version, headerBytes, payload) = ChecksummedFile.Open(bytes, Magic, DenseFormatVersion, BlockFormatVersion, path, Kind, minPayload: 8);
        try
        {
            var header = JsonSerializer.Deserialize(headerBytes.Span, ModelFileJson.Default.ModelFileHeader) ?? throw new JsonException("the header is null");
            ModelSpec spec;
            Normalization normalization;
            try
            {
                var a = header.Architecture;
                spec = new ModelSpec(ArchSpec.Resolve(version == DenseFormatVersion ? null : a.Arch ?? throw new JsonException("the architecture has no arch"), DenseSettings(version, a)), a.InputShape, a.Classes);
                NetworkBuilder.Validate(spec);
                normalization = new Normalization(Normalization.ParseKind(header.Normalization.Kind), header.Normalization.Mean, header.Normalization.Std);
            }
            catch (FcnLabException e)
            {
                // The shared checks (activation names, class counts, ...) do not know which file they read.
                throw new FcnLabException(Bad($"its header has a value FcnLab refuses: {e.Message.TrimEnd('.')}"), e);
            }
            var classNames = header.ClassNames.Select(n => n ?? "").ToArray();
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
            foreach (var t in header.Tensors)
            {
                // Multiplied up only while it fits in what is left, so a huge shape cannot overflow.
                long n = 1, left = (data.Length - pos) / 4;
                bool fits = true;
                foreach (int d in t.Shape)
                {
                    if (d < 0 || (d > 0 && n > left / d)) { fits = false; break; }
                    n *= d;
                }
                if (!fits)
                    throw new FcnLabException(Bad($"tensor {t.Name} [{string.Join(", ", t.Shape)}] does not fit in the file"));
                if (tensors.ContainsKey(t.Name))
                    throw new FcnLabException(Bad($"tensor {t.Name} is listed twice"));
                var values = new float[n];
                ChecksummedFile.ReadFloats(data.Slice(pos, (int)n * 4), values);
                if (NonFinite(t.Name, values) is { } why) throw new FcnLabException(Bad(why));
                pos += (int)n * 4;
                tensors[t.Name] = (t.Shape, values);
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

    /// <summary>Version 1's dense shorthand, every field of it required; null for the later versions.</summary>
    private static DenseShorthand? DenseSettings(int version, ModelFileArchitecture a)
    {
        if (version != DenseFormatVersion) return null;
        static T Required<T>(T? value, string name) where T : struct => value ?? throw new JsonException($"the architecture has no {name}");
        return new DenseShorthand(a.Hidden ?? throw new JsonException("the architecture has no hidden"),
            Names.ParseActivation(a.Activation ?? throw new JsonException("the architecture has no activation")),
            Required(a.LeakySlope, "leaky_slope"), Required(a.BatchNorm, "batch_norm"), Required(a.Dropout, "dropout"));
    }

    /// <summary>The directory a --model argument names: the run directory itself, or the model file's directory.</summary>
    public static string DirectoryOf(string path) =>
        Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";

    /// <summary>The network <paramref name="contents"/> describes, with its weights (eval, predict, export).</summary>
    public static Sequential BuildNetwork(ModelContents contents, WorkerPool pool, string path)
    {
        // Dropout is the identity in eval mode, so its generator is never drawn from.
        var network = NetworkBuilder.Build(contents.Spec, pool, new Rng(0));
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
}
