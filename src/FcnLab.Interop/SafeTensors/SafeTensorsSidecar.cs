using System.Text.Json;
using FcnLab.Engine;
using FcnLab.Engine.Data;
using FcnLab.Engine.IO;
using FcnLab.Engine.Training;

namespace FcnLab.Interop.SafeTensors;

/// <summary>
/// The JSON written next to an exported safetensors file (<c>FILE.safetensors.json</c>): what a
/// PyTorch user needs besides the weights. <c>layers</c>: one torch.nn constructor per nn.Sequential
/// index; <c>input_shape</c>: one sample as the first layer takes it (dense models take flat
/// [features]: flatten the image first); <c>input_mean</c>, <c>input_std</c>: subtract and divide
/// after scaling pixels to [0, 1], as transforms.Normalize does; <c>class_names</c>. <c>fcnlab</c>
/// keeps the normalization on FcnLab's 0..255 scale, so an import back gets the very same floats.
/// Every field is optional on read (a hand-written sidecar may give only some).
/// </summary>
public sealed record SafeTensorsSidecar
{
    public IReadOnlyList<string>? Layers { get; init; }
    public int[]? InputShape { get; init; }
    public double? InputMean { get; init; }
    public double? InputStd { get; init; }
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>The normalization exactly as FcnLab stores it (x - Mean) / Std on 0..255; null when the sidecar does not say.</summary>
    public Normalization? Normalization { get; init; }

    /// <summary>The model's input shape as FcnLab records it (a dense model's image shape, where <see cref="InputShape"/> is flat); null when not said.</summary>
    public int[]? FcnLabInputShape { get; init; }

    /// <summary>FcnLab's --arch text of the network, written for networks the layers cannot build (res blocks, gap); null when not said.</summary>
    public string? FcnLabArch { get; init; }

    /// <summary>The sidecar's path for a safetensors file: the file's name with ".json" appended.</summary>
    public static string PathFor(string safetensorsPath) => safetensorsPath + ".json";

    /// <summary>The normalization on FcnLab's scale: the exact one if recorded, else from input_mean and input_std; null if neither.</summary>
    public Normalization? FcnLabNormalization() =>
        Normalization ?? (InputMean is { } m && InputStd is { } s ? FromUnitScale(m, s) : null);

    /// <summary>transforms.Normalize's mean and std (on pixels scaled to [0, 1]) as FcnLab's (x - Mean) / Std on 0..255.</summary>
    public static Normalization FromUnitScale(double mean, double std)
    {
        if (!double.IsFinite(mean) || !(std > 0) || !double.IsFinite(std))
            throw new FcnLabException($"The input mean must be a finite number and the input std a finite number > 0 (got mean {mean}, std {std}).");
        if (mean == 0 && std == 1) return Engine.Data.Normalization.Scale;
        return new Normalization(NormalizeKind.Standardize, (float)(mean * 255), (float)(std * 255));
    }

    public string ToJson() => RunDirectory.Json(w =>
    {
        if (Layers != null)
        {
            w.WriteStartArray("layers");
            foreach (var l in Layers) w.WriteStringValue(l);
            w.WriteEndArray();
        }
        if (InputShape != null)
        {
            w.WriteStartArray("input_shape");
            foreach (int d in InputShape) w.WriteNumberValue(d);
            w.WriteEndArray();
        }
        if (InputMean is { } mean) w.WriteNumber("input_mean", mean);
        if (InputStd is { } std) w.WriteNumber("input_std", std);
        if (ClassNames != null)
        {
            w.WriteStartArray("class_names");
            foreach (var c in ClassNames) w.WriteStringValue(c);
            w.WriteEndArray();
        }
        if (Normalization is { } n)
        {
            w.WriteStartObject("fcnlab");
            w.WriteString("normalize", Engine.Data.Normalization.Name(n.Kind));
            w.WriteNumber("mean", n.Mean);
            w.WriteNumber("std", n.Std);
            if (FcnLabInputShape != null)
            {
                w.WriteStartArray("input_shape");
                foreach (int d in FcnLabInputShape) w.WriteNumberValue(d);
                w.WriteEndArray();
            }
            if (FcnLabArch != null) w.WriteString("arch", FcnLabArch);
            w.WriteEndObject();
        }
    });

    public void Write(string path) => AtomicFile.WriteAllText(path, ToJson());

    /// <summary>Reads a sidecar; a field of the wrong type is an error that names the file and the field.</summary>
    public static SafeTensorsSidecar Read(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (IOException e) { throw new FcnLabException($"Cannot read the sidecar '{path}': {e.Message}", e); }
        catch (UnauthorizedAccessException e) { throw new FcnLabException($"Cannot read the sidecar '{path}': {e.Message}", e); }
        FcnLabException Bad(string what) => new($"The sidecar '{path}' {what}; fix or remove it, or give the values as flags.");
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Bad("is not a JSON object");
            string[]? Strings(string name) => root.TryGetProperty(name, out var e)
                ? e.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : throw Bad($"has a non-text entry in {name}")).ToArray()
                : null;
            double? Number(JsonElement parent, string name) => parent.TryGetProperty(name, out var e) ? e.GetDouble() : null;
            Normalization? exact = null;
            int[]? fcnlabShape = null;
            string? fcnlabArch = null;
            if (root.TryGetProperty("fcnlab", out var f))
            {
                if (f.TryGetProperty("input_shape", out var s)) fcnlabShape = s.EnumerateArray().Select(x => x.GetInt32()).ToArray();
                if (f.TryGetProperty("arch", out var arch)) fcnlabArch = arch.GetString() ?? throw Bad("has an fcnlab arch that is not text");
                var kind = Engine.Data.Normalization.ParseKind(f.GetProperty("normalize").GetString() ?? "");
                float mean = f.GetProperty("mean").GetSingle(), std = f.GetProperty("std").GetSingle();
                if (!float.IsFinite(mean) || !(std > 0) || !float.IsFinite(std)) throw Bad("has an fcnlab normalization that is not a finite mean and std > 0");
                exact = new Normalization(kind, mean, std);
            }
            return new SafeTensorsSidecar
            {
                Layers = Strings("layers"),
                InputShape = root.TryGetProperty("input_shape", out var shape) ? shape.EnumerateArray().Select(x => x.GetInt32()).ToArray() : null,
                InputMean = Number(root, "input_mean"),
                InputStd = Number(root, "input_std"),
                ClassNames = Strings("class_names"),
                Normalization = exact,
                FcnLabInputShape = fcnlabShape,
                FcnLabArch = fcnlabArch,
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw new FcnLabException($"The sidecar '{path}' is not valid ({e.Message}); fix or remove it, or give the values as flags.", e);
        }
    }
}
