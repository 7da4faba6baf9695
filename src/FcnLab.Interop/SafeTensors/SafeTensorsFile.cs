using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using FcnLab.Engine;

namespace FcnLab.Interop.SafeTensors;

/// <summary>The element types FcnLab reads and writes: float32 (weights, statistics) and int64 (BatchNorm's num_batches_tracked).</summary>
public enum SafeTensorsDType
{
    F32,
    I64,
}

/// <summary>One tensor of a safetensors file: its name, element type, shape and little-endian bytes.</summary>
public sealed record SafeTensor(string Name, SafeTensorsDType DType, int[] Shape, byte[] Data)
{
    public static SafeTensor Float32(string name, int[] shape, ReadOnlySpan<float> values)
    {
        var data = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), values[i]);
        return new SafeTensor(name, SafeTensorsDType.F32, shape, data);
    }

    public static SafeTensor Int64(string name, int[] shape, ReadOnlySpan<long> values)
    {
        var data = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(i * 8), values[i]);
        return new SafeTensor(name, SafeTensorsDType.I64, shape, data);
    }

    /// <summary>The values of an F32 tensor.</summary>
    public float[] Floats()
    {
        if (DType != SafeTensorsDType.F32) throw new InvalidOperationException($"Tensor {Name} is {DType}, not F32.");
        var values = new float[Data.Length / 4];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(Data.AsSpan(i * 4));
        return values;
    }

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>
/// The safetensors format (Hugging Face's, what PyTorch users exchange weights in): an 8-byte
/// little-endian header length N, N bytes of UTF-8 JSON
/// <c>{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}</c> padded
/// with spaces to a multiple of 8, then the tensors' raw little-endian bytes, offsets relative to the
/// end of the header. Reading is strict: every offset must lie inside the data, tensors may neither
/// overlap nor leave holes, and each tensor's byte count must match its dtype and shape.
/// </summary>
public static class SafeTensorsFile
{
    /// <summary>A header larger than this is refused before it is read (the format's own readers cap it at 100 MB too).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    /// <summary>The file's bytes: tensors in the order given, data laid out in that order.</summary>
    public static byte[] Serialize(IReadOnlyList<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata) w.WriteString(key, value);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in tensors)
            {
                if (t.Name == MetadataKey || !names.Add(t.Name)) throw new ArgumentException($"Tensor name '{t.Name}' is reserved or repeated.", nameof(tensors));
                if (t.Data.LongLength != ElementCount(t.Shape) * ElementSize(t.DType))
                    throw new ArgumentException($"Tensor {t.Name} {t.ShapeText} {t.DType} has {t.Data.Length} bytes.", nameof(tensors));
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", t.DType.ToString());
                w.WriteStartArray("shape");
                foreach (int d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + t.Data.Length);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += t.Data.Length;
            }
            w.WriteEndObject();
        }
        // The header is padded with spaces so the data starts 8-byte aligned.
        int headerLength = (int)((json.Length + 7) / 8 * 8);
        var output = new MemoryStream();
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, headerLength);
        output.Write(length);
        output.Write(json.GetBuffer(), 0, (int)json.Length);
        for (long i = json.Length; i < headerLength; i++) output.WriteByte((byte)' ');
        foreach (var t in tensors) output.Write(t.Data);
        return output.ToArray();
    }

    /// <summary>Reads a file; every defect is a <see cref="FcnLabException"/> that names the file and what is wrong.</summary>
    public static (IReadOnlyList<SafeTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string path)
    {
        if (!File.Exists(path))
            throw new FcnLabException($"Safetensors file '{path}' does not exist.");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new FcnLabException($"Cannot read safetensors file '{path}': {e.Message}", e); }
        catch (UnauthorizedAccessException e) { throw new FcnLabException($"Cannot read safetensors file '{path}': {e.Message}", e); }
        return Parse(bytes, path);
    }

    /// <summary>Parses a file's bytes (<paramref name="path"/> is for messages).</summary>
    public static (IReadOnlyList<SafeTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Parse(ReadOnlySpan<byte> bytes, string path)
    {
        FcnLabException Bad(string what) => new($"'{path}' is not a valid safetensors file: {what}.");
        if (bytes.Length < 8) throw Bad($"it has {bytes.Length} bytes, fewer than the 8 of the header length");
        // The length is an unsigned 64-bit number: read as one, a damaged file's length is never printed as a negative number.
        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (declared < 2)
            throw Bad($"its header length is {declared} bytes; a header is a JSON object, at least the 2 bytes of {{}}");
        if (declared > MaxHeaderBytes)
            throw Bad($"its header length is {declared} bytes (at most {MaxHeaderBytes} allowed); the file is damaged, or it is not a safetensors file");
        long headerLength = (long)declared;
        if (headerLength > bytes.Length - 8)
            throw Bad($"its header length is {headerLength} bytes but only {bytes.Length - 8} follow");
        var header = bytes.Slice(8, (int)headerLength);
        var data = bytes[(8 + (int)headerLength)..];

        var tensors = new List<(SafeTensor Tensor, long Begin, long End)>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            // Strict UTF-8: a header with invalid bytes is refused, not patched up.
            string text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(header);
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad("its header is not a JSON object");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(entry.Name)) throw Bad($"its header names '{entry.Name}' twice");
                if (entry.Name == MetadataKey)
                {
                    if (entry.Value.ValueKind != JsonValueKind.Object) throw Bad("its __metadata__ is not an object of strings");
                    foreach (var m in entry.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) throw Bad($"__metadata__ value '{m.Name}' is not a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                tensors.Add(ReadEntry(entry, data, Bad));
            }
        }
        catch (Exception e) when (e is JsonException or DecoderFallbackException)
        {
            throw new FcnLabException($"'{path}' is not a valid safetensors file: its header is not valid UTF-8 JSON ({e.Message}).", e);
        }

        // The tensors must tile the data exactly: no overlaps, no holes, nothing after the last one.
        long position = 0;
        foreach (var (t, begin, end) in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            if (begin < position) throw Bad($"tensor {t.Name} (bytes {begin}..{end}) overlaps the tensor before it (which ends at {position})");
            if (begin > position) throw Bad($"bytes {position}..{begin} of its data belong to no tensor");
            position = end;
        }
        if (position != data.Length) throw Bad($"its data has {data.Length} bytes but its tensors cover {position}");
        return (tensors.Select(t => t.Tensor).ToList(), metadata);
    }

    private static (SafeTensor, long, long) ReadEntry(JsonProperty entry, ReadOnlySpan<byte> data, Func<string, FcnLabException> bad)
    {
        string name = entry.Name;
        var e = entry.Value;
        if (e.ValueKind != JsonValueKind.Object) throw bad($"the header entry of tensor {name} is not an object");
        if (!e.TryGetProperty("dtype", out var dtypeJson) || dtypeJson.ValueKind != JsonValueKind.String)
            throw bad($"tensor {name} has no dtype");
        string dtypeText = dtypeJson.GetString()!;
        SafeTensorsDType dtype = dtypeText switch
        {
            "F32" => SafeTensorsDType.F32,
            "I64" => SafeTensorsDType.I64,
            _ => throw bad($"tensor {name} has dtype {dtypeText}; FcnLab reads F32 (and I64 for num_batches_tracked): convert with model.float() before saving"),
        };
        if (!e.TryGetProperty("shape", out var shapeJson) || shapeJson.ValueKind != JsonValueKind.Array)
            throw bad($"tensor {name} has no shape");
        var shape = new List<int>();
        foreach (var d in shapeJson.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int size) || size < 0)
                throw bad($"tensor {name} has a shape entry {d.GetRawText()} that is not a size >= 0");
            shape.Add(size);
        }
        if (!e.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2
            || offsets[0].ValueKind != JsonValueKind.Number || offsets[1].ValueKind != JsonValueKind.Number
            || !offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end))
            throw bad($"tensor {name} has no data_offsets [begin, end]");
        if (begin < 0 || end < begin || end > data.Length)
            throw bad($"tensor {name} has data_offsets [{begin}, {end}] outside its {data.Length} bytes of data");
        long elements = ElementCount([.. shape]);
        if (elements < 0 || elements * ElementSize(dtype) != end - begin)
            throw bad($"tensor {name} {dtypeText} [{string.Join(", ", shape)}] needs {(elements < 0 ? "more" : (elements * ElementSize(dtype)).ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes but its data_offsets give {end - begin}");
        foreach (var key in e.EnumerateObject())
            if (key.Name is not ("dtype" or "shape" or "data_offsets")) throw bad($"tensor {name} has an unknown field '{key.Name}'");
        return (new SafeTensor(name, dtype, [.. shape], data[(int)begin..(int)end].ToArray()), begin, end);
    }

    private static int ElementSize(SafeTensorsDType dtype) => dtype == SafeTensorsDType.F32 ? 4 : 8;

    /// <summary>The product of the sizes, or -1 when it exceeds what a file could hold.</summary>
    private static long ElementCount(int[] shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d != 0 && n > int.MaxValue / d) return -1;
            n *= d;
        }
        return n;
    }
}
