using System.Buffers.Binary;
using System.IO.Compression;

namespace FcnLab.Engine.Png;

/// <summary>
/// A minimal PNG writer: 8-bit grayscale or RGB, no interlace, filter 0 (None) on every row, one IDAT chunk
/// compressed with zlib. Small images only (the test images of a report), so simplicity beats ratio.
/// </summary>
public static class PngEncoder
{
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
        png.Write(PngChunks.Signature);
        PngChunks.Write(png, "IHDR", header);
        PngChunks.Write(png, "IDAT", compressed);
        PngChunks.Write(png, "IEND", []);
        return png.ToArray();
    }
}
