using System.Buffers.Binary;
using System.Text;
using FcnLab.Engine.Png;
using FcnLab.Engine.Tests.Data;

namespace FcnLab.Engine.Tests.Png;

public class PngDecoderTests : IDisposable
{
    private const string Name = "picture.png";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static int[] RandomSamples(int count, int bitDepth, int seed)
    {
        var random = new System.Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => random.Next(1 << bitDepth))];
    }

    private static double Luma(double r, double g, double b) => 0.299 * r + 0.587 * g + 0.114 * b;

    /// <summary>The gray value the decoder's documented conversion gives pixel <paramref name="p"/>, computed here independently.</summary>
    private static double Expected(int[] s, int p, int colorType, int bitDepth, byte[]? palette = null, byte[]? trns = null)
    {
        double max = (1 << bitDepth) - 1, scale = 255.0 / max;
        int Key(int i) => trns![2 * i] << 8 | trns[2 * i + 1];
        switch (colorType)
        {
            case 0:
                return trns != null && s[p] == Key(0) ? 255 : s[p] * scale;
            case 2:
                int r = s[3 * p], g = s[3 * p + 1], b = s[3 * p + 2];
                return trns != null && r == Key(0) && g == Key(1) && b == Key(2) ? 255 : Luma(r, g, b) * scale;
            case 3:
                int i = s[p];
                double a3 = trns != null && i < trns.Length ? trns[i] / 255.0 : 1;
                return a3 * Luma(palette![3 * i], palette[3 * i + 1], palette[3 * i + 2]) + (1 - a3) * 255;
            case 4:
                double a4 = s[2 * p + 1] / max;
                return a4 * s[2 * p] * scale + (1 - a4) * 255;
            default:
                double a6 = s[4 * p + 3] / max;
                return a6 * Luma(s[4 * p], s[4 * p + 1], s[4 * p + 2]) * scale + (1 - a6) * 255;
        }
    }

    private static void AssertPixels(GrayImage image, int width, int height, Func<int, double> expected)
    {
        Assert.Equal(width, image.Width);
        Assert.Equal(height, image.Height);
        Assert.Equal(width * height, image.Pixels.Length);
        for (int p = 0; p < width * height; p++)
        {
            double want = expected(p);
            Assert.True(Math.Abs(image.Pixels[p] - want) <= 1e-3, $"pixel {p} (x {p % width}, y {p / width}): decoded {image.Pixels[p]}, expected {want}");
        }
    }

    private static byte[] Palette(int entries, int seed)
    {
        var palette = new byte[3 * entries];
        new System.Random(seed).NextBytes(palette);
        return palette;
    }

    [Theory]
    [InlineData(0)] // None
    [InlineData(1)] // Sub
    [InlineData(2)] // Up
    [InlineData(3)] // Average
    [InlineData(4)] // Paeth
    public void Gray8_EachFilterType_GivesTheSamplesExactly(int filter)
    {
        var samples = RandomSamples(7 * 5, 8, filter);
        var image = PngDecoder.Decode(PngTestFiles.Encode(samples, 7, 5, 0, 8, [filter]), Name);
        Assert.Equal(samples.Select(v => (float)v), image.Pixels);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    public void Gray_EveryBitDepth_ScalesTo0To255(int bitDepth)
    {
        // 13 columns: packed rows of 1, 2 and 4 bits end inside a byte.
        var samples = RandomSamples(13 * 6, bitDepth, bitDepth);
        samples[0] = 0;
        samples[1] = (1 << bitDepth) - 1;
        var image = PngDecoder.Decode(PngTestFiles.Encode(samples, 13, 6, 0, bitDepth, [0, 1, 2, 3, 4]), Name);
        AssertPixels(image, 13, 6, p => Expected(samples, p, 0, bitDepth));
        Assert.Equal(0f, image.Pixels[0]);
        Assert.Equal(255f, image.Pixels[1]);
    }

    [Theory]
    [InlineData(2, 8)]
    [InlineData(2, 16)]
    [InlineData(4, 8)]
    [InlineData(4, 16)]
    [InlineData(6, 8)]
    [InlineData(6, 16)]
    public void ColorAndAlpha_EveryFilter_LumaOverWhite(int colorType, int bitDepth)
    {
        int width = 9, height = 10;
        var samples = RandomSamples(width * height * PngTestFiles.Channels(colorType), bitDepth, 10 * colorType + bitDepth);
        var image = PngDecoder.Decode(PngTestFiles.Encode(samples, width, height, colorType, bitDepth, [0, 1, 2, 3, 4]), Name);
        AssertPixels(image, width, height, p => Expected(samples, p, colorType, bitDepth));
    }

    [Fact]
    public void Rgb_EqualChannels_GiveThatGray()
    {
        int[] samples = [.. new[] { 0, 17, 128, 254, 255 }.SelectMany(v => new[] { v, v, v })];
        var image = PngDecoder.Decode(PngTestFiles.Encode(samples, 5, 1, 2, 8), Name);
        Assert.Equal([0f, 17f, 128f, 254f, 255f], image.Pixels);
    }

    [Fact]
    public void Alpha_TransparentIsWhite_OpaqueIsTheColor()
    {
        // Gray+alpha: (0, transparent), (0, opaque), (100, half).
        int[] samples = [0, 0, 0, 255, 100, 51];
        var image = PngDecoder.Decode(PngTestFiles.Encode(samples, 3, 1, 4, 8), Name);
        Assert.Equal(255f, image.Pixels[0]);
        Assert.Equal(0f, image.Pixels[1]);
        Assert.Equal(0.2 * 100 + 0.8 * 255, image.Pixels[2], 3);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void Palette_EveryBitDepth_WithTrnsAlpha(int bitDepth)
    {
        int entries = 1 << bitDepth, width = 11, height = 7;
        var palette = Palette(entries, bitDepth);
        // Alpha for the first entries only: the rest are opaque, as the standard says.
        var trns = new byte[Math.Max(1, entries / 2)];
        new System.Random(bitDepth + 100).NextBytes(trns);
        var samples = RandomSamples(width * height, bitDepth, bitDepth + 50);
        var image = PngDecoder.Decode(PngTestFiles.Encode(samples, width, height, 3, bitDepth, [0, 1, 2, 3, 4], palette: palette, trns: trns), Name);
        AssertPixels(image, width, height, p => Expected(samples, p, 3, bitDepth, palette, trns));
    }

    [Fact]
    public void Trns_GrayAndRgbKeys_AreTransparent()
    {
        int[] gray = [5, 7, 5];
        var g = PngDecoder.Decode(PngTestFiles.Encode(gray, 3, 1, 0, 8, trns: [0, 5]), Name);
        Assert.Equal([255f, 7f, 255f], g.Pixels);

        int[] rgb = [1, 2, 3, 1, 2, 4];
        var c = PngDecoder.Decode(PngTestFiles.Encode(rgb, 2, 1, 2, 8, trns: [0, 1, 0, 2, 0, 3]), Name);
        Assert.Equal(255f, c.Pixels[0]);
        Assert.Equal(Luma(1, 2, 4), c.Pixels[1], 4);
    }

    public static TheoryData<int, int, int, int> InterlaceCases()
    {
        var data = new TheoryData<int, int, int, int>();
        (int, int)[] types = [(0, 1), (0, 2), (0, 4), (0, 8), (0, 16), (2, 8), (2, 16), (3, 1), (3, 2), (3, 4), (3, 8), (4, 8), (4, 16), (6, 8), (6, 16)];
        foreach (var (color, depth) in types)
            foreach (var (w, h) in new[] { (1, 1), (3, 2), (9, 10), (17, 5) }) // small sizes leave Adam7 passes empty
                data.Add(color, depth, w, h);
        return data;
    }

    [Theory]
    [MemberData(nameof(InterlaceCases))]
    public void Adam7_EveryColorTypeAndDepth_SameAsNotInterlaced(int colorType, int bitDepth, int width, int height)
    {
        var samples = RandomSamples(width * height * PngTestFiles.Channels(colorType), bitDepth, width * 31 + height + colorType * 7 + bitDepth);
        var palette = colorType == 3 ? Palette(1 << bitDepth, bitDepth) : null;
        var interlaced = PngDecoder.Decode(PngTestFiles.Encode(samples, width, height, colorType, bitDepth, [0, 1, 2, 3, 4], interlace: true, palette: palette), Name);
        var plain = PngDecoder.Decode(PngTestFiles.Encode(samples, width, height, colorType, bitDepth, [4, 3, 2, 1, 0], palette: palette), Name);
        Assert.Equal(plain.Pixels, interlaced.Pixels);
        AssertPixels(interlaced, width, height, p => Expected(samples, p, colorType, bitDepth, palette));
    }

    [Fact]
    public void SplitIdatAndAncillaryChunks_AreRead()
    {
        var samples = RandomSamples(6 * 4, 8, 9);
        var z = PngTestFiles.Zlib(PngTestFiles.ImageData(samples, 6, 4, 0, 8, [1], interlace: false));
        var png = PngTestFiles.Assemble([
            PngTestFiles.Chunk("IHDR", PngTestFiles.Ihdr(6, 4, 8, 0)),
            PngTestFiles.Chunk("gAMA", [0, 0, 0xB1, 0x8F]),
            PngTestFiles.Chunk("IDAT", z[..3]),
            PngTestFiles.Chunk("IDAT", []),
            PngTestFiles.Chunk("IDAT", z[3..]),
            PngTestFiles.Chunk("tEXt", Encoding.ASCII.GetBytes("Comment\0hello")),
            PngTestFiles.Chunk("IEND", []),
            [1, 2, 3], // bytes after IEND are not the image's
        ]);
        Assert.Equal(samples.Select(v => (float)v), PngDecoder.Decode(png, Name).Pixels);
    }

    [Fact]
    public void Read_DecodesAFile_AndNamesItInErrors()
    {
        string path = _dir.File("a.png");
        File.WriteAllBytes(path, PngTestFiles.Encode([10, 20], 2, 1, 0, 8));
        Assert.Equal([10f, 20f], PngDecoder.Read(path).Pixels);
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Contains(path, Assert.Throws<FcnLabException>(() => PngDecoder.Read(path)).Message);
        string missing = _dir.File("missing.png");
        Assert.Contains(missing, Assert.Throws<FcnLabException>(() => PngDecoder.Read(missing)).Message);
    }

    // ----- corrupt and unsupported files: a FcnLabException naming the file and the problem -----

    private static void AssertBad(byte[] png, params string[] fragments)
    {
        var e = Assert.Throws<FcnLabException>(() => PngDecoder.Decode(png, Name));
        Assert.StartsWith(Name + ": ", e.Message);
        foreach (var f in fragments) Assert.Contains(f, e.Message);
    }

    private static byte[] Gray8(int width = 4, int height = 3) => PngTestFiles.Encode(RandomSamples(width * height, 8, 1), width, height, 0, 8);

    private static byte[] WithChunks(byte[] ihdr, byte[] idatData, params byte[][] before) => PngTestFiles.Assemble([
        PngTestFiles.Chunk("IHDR", ihdr), .. before, PngTestFiles.Chunk("IDAT", idatData), PngTestFiles.Chunk("IEND", [])]);

    [Fact]
    public void Signature_EmptyWrongOrShort()
    {
        AssertBad([], "empty");
        AssertBad(Encoding.ASCII.GetBytes("GIF89a........"), "not a PNG file", "signature");
        AssertBad(PngTestFiles.Signature[..5], "truncated", "signature");
        // Issue 14, point 7: no chunk read yet, so no empty chunk name ("after the  chunk").
        var e = Assert.Throws<FcnLabException>(() => PngDecoder.Decode(PngTestFiles.Signature, Name));
        Assert.Equal($"{Name}: the file is truncated: it holds the 8-byte PNG signature and nothing after it (no IHDR chunk, no image).", e.Message);
    }

    [Fact]
    public void EveryTruncation_IsAClearError()
    {
        foreach (var png in new[] { Gray8(), PngTestFiles.Encode(RandomSamples(9 * 9 * 4, 8, 2), 9, 9, 6, 8, [4], interlace: true) })
            for (int n = 0; n < png.Length; n++)
            {
                var e = Assert.Throws<FcnLabException>(() => PngDecoder.Decode(png[..n], Name));
                Assert.StartsWith(Name + ": ", e.Message);
            }
        var full = Gray8();
        AssertBad(full[..^12], "truncated", "IEND");
        AssertBad(full[..^5], "truncated");
    }

    [Fact]
    public void BadCrc_NamesTheChunk()
    {
        var png = Gray8();
        png[8 + 25 + 10] ^= 0x40; // a byte of the IDAT data (signature 8, IHDR chunk 25, IDAT header 8)
        AssertBad(png, "bad CRC", "IDAT");
        var header = Gray8();
        header[8 + 8] ^= 1; // the IHDR width
        AssertBad(header, "bad CRC", "IHDR");
    }

    [Fact]
    public void ZlibGarbage_IsCorruptData()
    {
        AssertBad(WithChunks(PngTestFiles.Ihdr(4, 3, 8, 0), [0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0]), "compressed image data", "corrupt");
        // A valid zlib header followed by an invalid deflate block type.
        AssertBad(WithChunks(PngTestFiles.Ihdr(4, 3, 8, 0), [0x78, 0x9C, 0xFF, 0xFF, 0xFF, 0xFF]), "corrupt");
    }

    [Fact]
    public void ImageData_TooShortOrTooLong()
    {
        var rows = PngTestFiles.ImageData(RandomSamples(4 * 3, 8, 5), 4, 3, 0, 8, [0], interlace: false); // 3 rows of 1 + 4 bytes
        AssertBad(WithChunks(PngTestFiles.Ihdr(4, 3, 8, 0), PngTestFiles.Zlib(rows[..10])), "too short", "10 bytes", "needs 15");
        AssertBad(WithChunks(PngTestFiles.Ihdr(4, 3, 8, 0), PngTestFiles.Zlib([.. rows, 0, 1, 2, 3, 4])), "too long");
        // A bomb: 1,000 x 1,000 zeros behind a header that declares 100 x 100.
        AssertBad(WithChunks(PngTestFiles.Ihdr(100, 100, 8, 0), PngTestFiles.Zlib(new byte[1000 * 1001])), "too long");
        // A header declaring far more than its compressed data can hold is refused before allocating.
        AssertBad(WithChunks(PngTestFiles.Ihdr(5000, 5000, 16, 6), PngTestFiles.Zlib(new byte[100])), "too short", "compressed bytes");
    }

    [Fact]
    public void Sizes_ZeroHugeAndBeyondPng()
    {
        AssertBad(WithChunks(PngTestFiles.Ihdr(0, 5, 8, 0), PngTestFiles.Zlib([0])), "0x5", "at least 1x1");
        AssertBad(WithChunks(PngTestFiles.Ihdr(65536, 65536, 8, 0), PngTestFiles.Zlib([0])), "65536x65536", "more than FcnLab decodes");
        AssertBad(WithChunks(PngTestFiles.Ihdr(0x80000000L, 1, 8, 0), PngTestFiles.Zlib([0])), "2^31");
    }

    [Theory]
    [InlineData(5, 8, "color type 5")]
    [InlineData(1, 8, "color type 1")]
    [InlineData(2, 4, "bit depth 4")]
    [InlineData(0, 3, "bit depth 3")]
    [InlineData(3, 16, "bit depth 16")]
    [InlineData(6, 1, "bit depth 1")]
    public void UnknownColorTypeOrBitDepth(int colorType, int bitDepth, string fragment) =>
        AssertBad(WithChunks(PngTestFiles.Ihdr(2, 2, bitDepth, colorType), PngTestFiles.Zlib(new byte[8])), fragment);

    [Fact]
    public void HeaderMethods_AndIhdrLength()
    {
        AssertBad(WithChunks(PngTestFiles.Ihdr(2, 2, 8, 0, interlace: 2), PngTestFiles.Zlib(new byte[6])), "interlace method 2");
        AssertBad(WithChunks(PngTestFiles.Ihdr(2, 2, 8, 0, compression: 1), PngTestFiles.Zlib(new byte[6])), "compression method 1");
        AssertBad(WithChunks(PngTestFiles.Ihdr(2, 2, 8, 0, filterMethod: 1), PngTestFiles.Zlib(new byte[6])), "filter method 1");
        AssertBad(WithChunks(PngTestFiles.Ihdr(2, 2, 8, 0)[..12], PngTestFiles.Zlib(new byte[6])), "IHDR", "12 bytes");
    }

    [Fact]
    public void MissingChunks()
    {
        var idat = PngTestFiles.Chunk("IDAT", PngTestFiles.Zlib(new byte[6]));
        var iend = PngTestFiles.Chunk("IEND", []);
        var ihdr = PngTestFiles.Chunk("IHDR", PngTestFiles.Ihdr(2, 2, 8, 0));
        AssertBad(PngTestFiles.Assemble([idat, iend]), "IHDR", "missing");
        AssertBad(PngTestFiles.Assemble([ihdr, iend]), "no IDAT");
        AssertBad(PngTestFiles.Assemble([ihdr, idat]), "truncated", "IEND");
        AssertBad(PngTestFiles.Assemble([PngTestFiles.Chunk("IHDR", PngTestFiles.Ihdr(2, 2, 8, 3)), idat, iend]), "PLTE", "missing");
        AssertBad(PngTestFiles.Assemble([ihdr, ihdr, idat, iend]), "second IHDR");
    }

    [Fact]
    public void PaletteIndexOutOfRange_NamesThePixel()
    {
        // 4 entries, 8-bit indices; pixel (1, 0) uses index 7.
        AssertBad(PngTestFiles.Encode([0, 7, 1, 2], 2, 2, 3, 8, palette: Palette(4, 1)), "pixel (1, 0)", "palette index 7", "4 entries");
        AssertBad(PngTestFiles.Encode([0, 1], 2, 1, 3, 8, palette: [1, 2, 3, 4]), "PLTE", "4 bytes");
        AssertBad(PngTestFiles.Encode([0, 1], 2, 1, 3, 8, palette: Palette(2, 1), trns: [1, 2, 3]), "tRNS", "3 alpha values");
    }

    [Fact]
    public void BadFilterType_AndBadTrns_AndUnknownCriticalChunk()
    {
        var data = PngTestFiles.ImageData([1, 2, 3, 4], 2, 2, 0, 8, [0], interlace: false);
        data[3] = 5; // the second row's filter byte
        AssertBad(WithChunks(PngTestFiles.Ihdr(2, 2, 8, 0), PngTestFiles.Zlib(data)), "row 1", "filter type 5");
        AssertBad(PngTestFiles.Encode([1, 2, 3, 4, 5, 6, 7, 8], 2, 1, 6, 8, trns: [0, 1]), "tRNS", "RGBA");
        AssertBad(PngTestFiles.Encode([1, 2], 2, 1, 0, 8, trns: [0, 1, 2]), "tRNS", "3 bytes");
        AssertBad(WithChunks(PngTestFiles.Ihdr(2, 2, 8, 0), PngTestFiles.Zlib(new byte[6]), PngTestFiles.Chunk("XYZW", [1])), "critical chunk XYZW");
        var badType = Gray8();
        badType[8 + 4] = (byte)'1'; // IHDR's type bytes are letters
        AssertBad(badType, "not a chunk type");
        var huge = Gray8();
        BinaryPrimitives.WriteUInt32BigEndian(huge.AsSpan(8 + 25), 0xFFFFFFF0); // the IDAT length
        AssertBad(huge, "IDAT", "more than PNG allows");
    }

    [Fact]
    public void Mutations_SucceedOrFailWithAClearError()
    {
        // Random bytes changed in the file (mostly caught by the CRC), in the compressed data with the CRC
        // recomputed (zlib errors), and in the inflated data before compression (filter bytes, palette indices).
        var random = new System.Random(12345);
        var palette = Palette(16, 2);
        var bases = new (int Color, int Depth, bool Interlace)[] { (0, 8, false), (2, 16, true), (3, 4, false), (3, 8, true), (6, 8, false), (0, 1, true) };
        for (int trial = 0; trial < 600; trial++)
        {
            var (color, depth, interlace) = bases[trial % bases.Length];
            int w = 1 + random.Next(12), h = 1 + random.Next(12);
            var samples = RandomSamples(w * h * PngTestFiles.Channels(color), color == 3 ? Math.Min(depth, 4) : depth, trial);
            var pal = color == 3 ? palette : null;
            byte[] png;
            switch (trial % 3)
            {
                case 0:
                    png = PngTestFiles.Encode(samples, w, h, color, depth, [trial % 5], interlace, pal);
                    for (int k = 0; k <= random.Next(3); k++) png[random.Next(png.Length)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    var z = PngTestFiles.Zlib(PngTestFiles.ImageData(samples, w, h, color, depth, [trial % 5], interlace));
                    for (int k = 0; k <= random.Next(3); k++) z[random.Next(z.Length)] ^= (byte)(1 << random.Next(8));
                    png = WithChunks(PngTestFiles.Ihdr(w, h, depth, color, interlace ? 1 : 0), z, pal != null ? [PngTestFiles.Chunk("PLTE", pal)] : []);
                    break;
                default:
                    var raw = PngTestFiles.ImageData(samples, w, h, color, depth, [trial % 5], interlace);
                    for (int k = 0; k <= random.Next(3); k++) raw[random.Next(raw.Length)] = (byte)random.Next(256);
                    png = WithChunks(PngTestFiles.Ihdr(w, h, depth, color, interlace ? 1 : 0), PngTestFiles.Zlib(raw), pal != null ? [PngTestFiles.Chunk("PLTE", pal)] : []);
                    break;
            }
            try
            {
                var image = PngDecoder.Decode(png, Name);
                Assert.Equal((long)image.Width * image.Height, image.Pixels.Length);
                Assert.All(image.Pixels, v => Assert.InRange(v, 0f, 255f));
            }
            catch (FcnLabException e)
            {
                Assert.StartsWith(Name + ": ", e.Message);
            }
        }
    }
}
