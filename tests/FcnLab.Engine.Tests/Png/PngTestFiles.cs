using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace FcnLab.Engine.Tests.Png;

/// <summary>
/// Test-side PNG files, independent of the codec under test (their own bitwise CRC, forward filters and
/// Adam7 split; zlib from System.IO.Compression): a writer for any color type and bit depth, a chosen
/// filter per row, optional interlacing and raw chunks for building corrupt files, which the decoder's
/// tests read; and a strict reader of what the encoder writes, which the encoder's tests check against.
/// </summary>
public static class PngTestFiles
{
    public static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>A PNG of <paramref name="samples"/> (row-major, channels interleaved, each in 0..2^depth-1).</summary>
    /// <param name="filters">Filter type of row r is filters[r % filters.Length].</param>
    public static byte[] Encode(int[] samples, int width, int height, int colorType, int bitDepth, int[]? filters = null,
        bool interlace = false, byte[]? palette = null, byte[]? trns = null)
    {
        var chunks = new List<byte[]> { Chunk("IHDR", Ihdr(width, height, bitDepth, colorType, interlace ? 1 : 0)) };
        if (palette != null) chunks.Add(Chunk("PLTE", palette));
        if (trns != null) chunks.Add(Chunk("tRNS", trns));
        chunks.Add(Chunk("IDAT", Zlib(ImageData(samples, width, height, colorType, bitDepth, filters ?? [0], interlace))));
        chunks.Add(Chunk("IEND", []));
        return Assemble(chunks);
    }

    public static int Channels(int colorType) => colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => throw new ArgumentOutOfRangeException(nameof(colorType)) };

    /// <summary>The uncompressed image data: per (Adam7 pass and) row, a filter byte and the filtered packed row.</summary>
    public static byte[] ImageData(int[] samples, int width, int height, int colorType, int bitDepth, int[] filters, bool interlace)
    {
        int channels = Channels(colorType);
        var output = new MemoryStream();
        (int, int, int, int)[] passes = interlace
            ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
            : [(0, 0, 1, 1)];
        int rowIndex = 0;
        foreach (var (x0, y0, dx, dy) in passes)
        {
            var xs = Enumerable.Range(0, width).Where(x => x >= x0 && (x - x0) % dx == 0).ToArray();
            var ys = Enumerable.Range(0, height).Where(y => y >= y0 && (y - y0) % dy == 0).ToArray();
            if (xs.Length == 0 || ys.Length == 0) continue;
            int bpp = Math.Max(1, channels * bitDepth / 8);
            byte[] prior = new byte[(xs.Length * channels * bitDepth + 7) / 8];
            foreach (int y in ys)
            {
                var rowSamples = xs.SelectMany(x => Enumerable.Range(0, channels).Select(c => samples[(y * width + x) * channels + c])).ToArray();
                byte[] raw = Pack(rowSamples, bitDepth);
                int filter = filters[rowIndex++ % filters.Length];
                output.WriteByte((byte)filter);
                output.Write(Filter(filter, raw, prior, bpp));
                prior = raw;
            }
        }
        return output.ToArray();
    }

    private static byte[] Pack(int[] samples, int bitDepth)
    {
        var bytes = new byte[(samples.Length * bitDepth + 7) / 8];
        for (int i = 0; i < samples.Length; i++)
        {
            int v = samples[i];
            if (bitDepth == 16) { bytes[2 * i] = (byte)(v >> 8); bytes[2 * i + 1] = (byte)v; }
            else if (bitDepth == 8) bytes[i] = (byte)v;
            else
            {
                int bit = i * bitDepth;
                bytes[bit / 8] |= (byte)(v << (8 - bitDepth - bit % 8));
            }
        }
        return bytes;
    }

    private static byte[] Filter(int type, byte[] raw, byte[] prior, int bpp)
    {
        var f = new byte[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            int a = i >= bpp ? raw[i - bpp] : 0, b = prior[i], c = i >= bpp ? prior[i - bpp] : 0;
            int predictor = type switch
            {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                4 => PaethPredictor(a, b, c),
                _ => throw new ArgumentOutOfRangeException(nameof(type)),
            };
            f[i] = (byte)(raw[i] - predictor);
        }
        return f;
    }

    private static int PaethPredictor(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc) return a;
        return pb <= pc ? b : c;
    }

    public static byte[] Ihdr(long width, long height, int bitDepth, int colorType, int interlace = 0, int compression = 0, int filterMethod = 0)
    {
        var d = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(d, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(d.AsSpan(4), (uint)height);
        d[8] = (byte)bitDepth;
        d[9] = (byte)colorType;
        d[10] = (byte)compression;
        d[11] = (byte)filterMethod;
        d[12] = (byte)interlace;
        return d;
    }

    public static byte[] Zlib(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Optimal, leaveOpen: true)) z.Write(data);
        return ms.ToArray();
    }

    /// <summary>Length, type, data, CRC (right unless <paramref name="crc"/> overrides it).</summary>
    public static byte[] Chunk(string type, byte[] data, uint? crc = null)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), crc ?? Crc(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    public static byte[] Assemble(IEnumerable<byte[]> chunks) => [.. Signature, .. chunks.SelectMany(c => c)];

    /// <summary>The samples of a PNG as the encoder writes it: 8-bit gray or RGB, no interlace, filter 0.</summary>
    public sealed record Image(int Width, int Height, int ColorType, byte[] Samples);

    /// <summary>
    /// Reads <paramref name="png"/>, asserting the signature, every chunk's CRC, the chunk sequence
    /// IHDR IDAT IEND, bit depth 8, methods 0 and filter 0 on every row.
    /// </summary>
    public static Image Read(byte[] png)
    {
        Assert.Equal(Signature, png[..8]);
        int pos = 8, width = 0, height = 0, colorType = -1;
        var idat = new MemoryStream();
        var types = new List<string>();
        while (pos < png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            string type = Encoding.ASCII.GetString(png, pos + 4, 4);
            var body = png.AsSpan(pos + 4, 4 + length); // type + data: what the CRC covers
            Assert.Equal(Crc(body), BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos + 8 + length)));
            var data = png.AsSpan(pos + 8, length);
            types.Add(type);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                Assert.Equal(8, data[8]);
                colorType = data[9];
                Assert.Equal(0, data[10]);
                Assert.Equal(0, data[11]);
                Assert.Equal(0, data[12]);
            }
            else if (type == "IDAT") idat.Write(data);
            pos += 12 + length;
        }
        Assert.Equal(["IHDR", "IDAT", "IEND"], types);
        int channels = colorType == 0 ? 1 : 3;
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        var raw = new MemoryStream();
        z.CopyTo(raw);
        var bytes = raw.ToArray();
        int rowBytes = width * channels;
        Assert.Equal((rowBytes + 1) * height, bytes.Length);
        var samples = new byte[rowBytes * height];
        for (int y = 0; y < height; y++)
        {
            Assert.Equal(0, bytes[y * (rowBytes + 1)]);
            Array.Copy(bytes, y * (rowBytes + 1) + 1, samples, y * rowBytes, rowBytes);
        }
        return new Image(width, height, colorType, samples);
    }

    /// <summary>Bit-at-a-time CRC-32 (no table), to check the codec's table-driven one independently.</summary>
    public static uint Crc(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (uint)-(int)(crc & 1));
        }
        return ~crc;
    }
}
