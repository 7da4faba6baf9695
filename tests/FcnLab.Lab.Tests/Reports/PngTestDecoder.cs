using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Xml.Linq;

namespace FcnLab.Lab.Tests.Reports;

/// <summary>Reads back the PNGs the encoder writes (filter 0 only), checking the signature and every chunk's CRC.</summary>
internal static class PngTestDecoder
{
    public sealed record Png(int Width, int Height, int ColorType, byte[] Samples);

    public static Png FromDataUri(XElement image)
    {
        var href = image.Attribute(XNamespace.Get("http://www.w3.org/1999/xlink") + "href")!.Value;
        const string prefix = "data:image/png;base64,";
        Assert.StartsWith(prefix, href);
        return Decode(Convert.FromBase64String(href[prefix.Length..]));
    }

    public static Png Decode(byte[] png)
    {
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        int pos = 8, width = 0, height = 0, colorType = -1;
        var idat = new MemoryStream();
        var types = new List<string>();
        while (pos < png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            string type = Encoding.ASCII.GetString(png, pos + 4, 4);
            var body = png.AsSpan(pos + 4, 4 + length); // type + data: what the CRC covers
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos + 8 + length));
            Assert.Equal(ReferenceCrc(body), crc);
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
        return new Png(width, height, colorType, samples);
    }

    /// <summary>Bit-by-bit CRC-32, independent of the table-driven one under test.</summary>
    private static uint ReferenceCrc(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (uint)-(int)(crc & 1));
        }
        return ~crc;
    }
}
