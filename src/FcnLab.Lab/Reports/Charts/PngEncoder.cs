using System.Buffers.Binary;
using System.IO.Compression;
using FcnLab.Engine;
using FcnLab.Engine.Data;

namespace FcnLab.Lab.Reports.Charts;

/// <summary>
/// A minimal PNG writer: 8-bit grayscale or RGB, no interlace, filter 0 (None) on every row, one IDAT chunk
/// compressed with zlib. Small images only (the test images of a report), so simplicity beats ratio.
/// </summary>
public static class PngEncoder
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <param name="pixels">Row-major samples, <paramref name="channels"/> interleaved per pixel (1: gray, 3: RGB).</param>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels)
    {
        if (width <= 0 || height <= 0) throw new FcnLabException($"A PNG needs a positive size, not {width}x{height}.");
        if (channels is not (1 or 3)) throw new FcnLabException($"PNG encoding supports 1 (gray) or 3 (RGB) channels, not {channels}.");
        int rowBytes = width * channels;
        if (pixels.Length != (long)rowBytes * height)
            throw new FcnLabException($"A {width}x{height} image with {channels} channel(s) needs {(long)rowBytes * height} samples, not {pixels.Length}.");

        var raw = new byte[(rowBytes + 1) * height];
        for (int y = 0; y < height; y++)
        {
            raw[y * (rowBytes + 1)] = 0; // filter type None
            pixels.Slice(y * rowBytes, rowBytes).CopyTo(raw.AsSpan(y * (rowBytes + 1) + 1));
        }
        byte[] compressed;
        using (var ms = new MemoryStream())
        {
            using (var z = new ZLibStream(ms, CompressionLevel.SmallestSize, leaveOpen: true)) z.Write(raw);
            compressed = ms.ToArray();
        }

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(0), width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = channels == 1 ? (byte)0 : (byte)2; // color type: gray or truecolor
        // [10..12]: compression 0 (deflate), filter method 0, interlace 0 (none)

        using var png = new MemoryStream();
        png.Write(Signature);
        WriteChunk(png, "IHDR", header);
        WriteChunk(png, "IDAT", compressed);
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>Length, type, data, then the CRC over type and data.</summary>
    private static void WriteChunk(Stream s, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        s.Write(word);
        Span<byte> typeBytes = stackalloc byte[4];
        for (int i = 0; i < 4; i++) typeBytes[i] = (byte)type[i];
        s.Write(typeBytes);
        s.Write(data);
        uint crc = ~PngCrc32.Update(PngCrc32.Update(0xFFFFFFFFu, typeBytes), data);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        s.Write(word);
    }
}
