using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace FcnLab.Engine.IO;

/// <summary>
/// The layout FcnLab's binary files share (model.fcnlab, checkpoint.fcnlab): an 8-byte magic, the
/// format version (int32 LE), the header length (int32 LE), a UTF-8 JSON header, a payload, and a
/// SHA-256 of everything before it, so truncation and corruption are caught before anything is used.
/// </summary>
public static class ChecksummedFile
{
    public const int MagicLength = 8;
    public const int PrefixLength = MagicLength + 8; // magic, version, header length
    public const int ChecksumLength = 32;

    /// <summary>The message for a file that cannot be used: "'path' is not a valid FcnLab {kind} file: {what}."</summary>
    public static string Invalid(string path, string kind, string what) => $"'{path}' is not a valid FcnLab {kind} file: {what}.";

    /// <summary>
    /// The whole file in one array of exactly the right size: <paramref name="writePayload"/> must write
    /// <paramref name="payloadLength"/> bytes.
    /// </summary>
    public static byte[] Build(ReadOnlySpan<byte> magic, int version, ReadOnlySpan<byte> header, long payloadLength, Action<Stream> writePayload)
    {
        if (magic.Length != MagicLength) throw new ArgumentException($"A magic number has {MagicLength} bytes.", nameof(magic));
        long total = PrefixLength + header.Length + payloadLength + ChecksumLength;
        if (total > Array.MaxLength)
            throw new FcnLabException($"The file would be {total} bytes; at most {Array.MaxLength} can be written in one piece.");
        var output = new MemoryStream((int)total);
        output.Write(magic);
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(word, version);
        output.Write(word);
        BinaryPrimitives.WriteInt32LittleEndian(word, header.Length);
        output.Write(word);
        output.Write(header);
        writePayload(output);
        if (output.Length != total - ChecksumLength)
            throw new InvalidOperationException($"The payload writer wrote {output.Length - PrefixLength - header.Length} bytes, not the {payloadLength} announced.");
        byte[] bytes = output.GetBuffer();
        SHA256.HashData(bytes.AsSpan(0, (int)output.Length), bytes.AsSpan((int)output.Length, ChecksumLength));
        return bytes;
    }

    /// <summary>
    /// Checks magic, length, version and checksum (in that order, so each failure gets its own message)
    /// and returns the header and the payload. <paramref name="minPayload"/> is the smallest payload a
    /// file of this kind can have.
    /// </summary>
    public static (ReadOnlyMemory<byte> Header, ReadOnlyMemory<byte> Payload) Open(
        byte[] bytes, ReadOnlySpan<byte> magic, int version, string path, string kind, int minPayload = 0)
    {
        var (_, header, payload) = Open(bytes, magic, version, version, path, kind, minPayload);
        return (header, payload);
    }

    /// <summary>As the other overload, for a kind of file this build reads in versions <paramref name="oldest"/> to <paramref name="newest"/>; also returns the file's version.</summary>
    public static (int Version, ReadOnlyMemory<byte> Header, ReadOnlyMemory<byte> Payload) Open(
        byte[] bytes, ReadOnlySpan<byte> magic, int oldest, int newest, string path, string kind, int minPayload = 0)
    {
        string Bad(string what) => Invalid(path, kind, what);
        if (bytes.Length < MagicLength || !bytes.AsSpan(0, MagicLength).SequenceEqual(magic))
            throw new FcnLabException(Bad($"it does not start with the FcnLab {kind} magic number (is it a file from another program?)"));
        if (bytes.Length < PrefixLength + minPayload + ChecksumLength)
            throw new FcnLabException(Bad($"it is truncated ({bytes.Length} bytes)"));
        int fileVersion = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(MagicLength));
        if (fileVersion < oldest || fileVersion > newest)
            throw new FcnLabException(Bad(oldest == newest
                ? $"format version {fileVersion}; this build of FcnLab reads version {newest}"
                : $"format version {fileVersion}; this build of FcnLab reads versions {oldest} to {newest}"));
        int bodyLength = bytes.Length - ChecksumLength;
        if (!SHA256.HashData(bytes.AsSpan(0, bodyLength)).AsSpan().SequenceEqual(bytes.AsSpan(bodyLength)))
            throw new FcnLabException(Bad("its checksum does not match (the file is truncated or corrupted)"));
        int headerLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(MagicLength + 4));
        if (headerLength <= 0 || (long)PrefixLength + headerLength + minPayload > bodyLength)
            throw new FcnLabException(Bad($"header length {headerLength} does not fit in the file"));
        int payloadStart = PrefixLength + headerLength;
        return (fileVersion, bytes.AsMemory(PrefixLength, headerLength), bytes.AsMemory(payloadStart, bodyLength - payloadStart));
    }

    /// <summary>
    /// A string value of a JSON header. null, or a value of another kind, is a malformed header: the
    /// FormatException or InvalidOperationException becomes the caller's "its header is malformed" error.
    /// </summary>
    public static string Text(JsonElement value) => value.GetString() ?? throw new FormatException("a text value is null");

    /// <summary>Appends values as little-endian float32 (one block copy on little-endian machines).</summary>
    public static void WriteFloats(Stream output, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            output.Write(MemoryMarshal.AsBytes(values));
            return;
        }
        Span<byte> word = stackalloc byte[4];
        foreach (float v in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(word, v);
            output.Write(word);
        }
    }

    /// <summary>Reads little-endian float32 values; <paramref name="source"/> holds 4 bytes per value of <paramref name="destination"/>.</summary>
    public static void ReadFloats(ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (source.Length != destination.Length * 4) throw new ArgumentException("4 bytes per float expected.", nameof(source));
        if (BitConverter.IsLittleEndian)
        {
            source.CopyTo(MemoryMarshal.AsBytes(destination));
            return;
        }
        for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source.Slice(i * 4));
    }
}
