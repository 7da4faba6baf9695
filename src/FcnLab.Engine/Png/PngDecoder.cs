using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace FcnLab.Engine.Png;

/// <summary>
/// Reads PNG files (ISO/IEC 15948) into a <see cref="GrayImage"/>: every color type and bit depth the
/// standard allows (gray 1/2/4/8/16, RGB 8/16, palette 1/2/4/8 with tRNS alpha, gray+alpha and RGBA 8/16),
/// all five row filters, and Adam7 interlacing. Color becomes luma 0.299 R + 0.587 G + 0.114 B (ITU-R
/// BT.601, as PIL's convert("L")); samples of other depths are scaled to 0..255 (a 16-bit v is v * 255 / 65535);
/// alpha is composited over white (a transparent picture is taken as drawn on paper: dark-on-light, which
/// --invert turns into the light-on-dark of the MNIST-style data sets). Gamma and color-profile chunks are
/// ignored. Every chunk's CRC is checked; a corrupt, truncated or unsupported file, and a header whose size
/// would need more memory than <see cref="MaxPixels"/> allows, becomes a <see cref="FcnLabException"/>
/// naming the file and the problem before anything large is allocated.
/// </summary>
public static class PngDecoder
{
    /// <summary>The largest image decoded (32 Mi pixels, e.g. 5792 x 5792): larger headers are refused before allocating.</summary>
    public const long MaxPixels = 1L << 25;

    // Deflate cannot expand data by more than about 1032:1, so n compressed bytes cannot inflate to more
    // than this many times n: a header implying more is refused before allocating (a decompression bomb's
    // header lies about the data, or the data is truncated).
    private const long MaxDeflateRatio = 1040;

    // Adam7 passes: first column, first row, column step, row step.
    private static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    private static readonly (int X0, int Y0, int Dx, int Dy)[] NoInterlace = [(0, 0, 1, 1)];

    private sealed record Header(int Width, int Height, int BitDepth, int ColorType, bool Interlaced)
    {
        public int Channels => ColorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        public int BitsPerPixel => Channels * BitDepth;
        // Filters compare a byte with the byte of the pixel to its left: at least one byte back.
        public int FilterStride => Math.Max(1, BitsPerPixel / 8);
        public long RowBytes(int width) => ((long)width * BitsPerPixel + 7) / 8;
        public string Describe() => $"{Width}x{Height} {ColorName(ColorType)} image of bit depth {BitDepth}{(Interlaced ? ", interlaced" : "")}";
    }

    /// <summary>True when <paramref name="bytes"/> start with the PNG signature.</summary>
    public static bool HasSignature(ReadOnlySpan<byte> bytes) => bytes.StartsWith(PngChunks.Signature);

    /// <summary>Reads and decodes the PNG file <paramref name="path"/>.</summary>
    public static GrayImage Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FcnLabException($"{path}: cannot read the file: {e.Message}", e);
        }
        return Decode(bytes, path);
    }

    /// <summary>Decodes the PNG <paramref name="png"/>; <paramref name="source"/> names it in error messages.</summary>
    public static GrayImage Decode(byte[] png, string source)
    {
        ArgumentNullException.ThrowIfNull(png);
        if (png.Length == 0) throw Bad(source, "the file is empty (0 bytes)");
        if (!HasSignature(png))
            throw Bad(source, png.Length < PngChunks.Signature.Length && PngChunks.Signature.StartsWith(png)
                ? $"the file is truncated: {png.Length} bytes, shorter than the 8-byte PNG signature"
                : "not a PNG file: it does not start with the PNG signature 89 50 4E 47 0D 0A 1A 0A");

        Header? header = null;
        byte[]? palette = null;     // RGB triples
        byte[]? transparency = null; // tRNS data
        var idat = new MemoryStream();
        int idatChunks = 0;
        string previous = "";
        int pos = PngChunks.Signature.Length;
        while (true)
        {
            int left = png.Length - pos;
            if (left == 0)
                throw Bad(source, previous.Length == 0
                    ? "the file is truncated: it holds the 8-byte PNG signature and nothing after it (no IHDR chunk, no image)"
                    : $"the file is truncated: it ends after the {previous} chunk, without the IEND chunk that closes a PNG");
            if (left < 12)
                throw Bad(source, $"the file is truncated: {left} bytes at offset {pos} are too few for a chunk (12 bytes at least)");
            uint declared = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            var typeBytes = png.AsSpan(pos + 4, 4);
            foreach (byte b in typeBytes)
                if (b is not ((>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z')))
                    throw Bad(source, $"the bytes at offset {pos + 4} are not a chunk type (4 ASCII letters); the file is corrupt");
            string type = Encoding.ASCII.GetString(typeBytes);
            if (declared > int.MaxValue)
                throw Bad(source, $"the {type} chunk at offset {pos} declares {declared} bytes, more than PNG allows (2^31 - 1); the file is corrupt");
            if (declared > left - 12)
                throw Bad(source, $"the file is truncated: the {type} chunk at offset {pos} declares {declared} bytes of data but only {Math.Max(0, left - 12)} follow");
            int length = (int)declared;
            var data = png.AsSpan(pos + 8, length);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos + 8 + length));
            uint computed = PngCrc32.Compute(png.AsSpan(pos + 4, 4 + length));
            if (stored != computed)
                throw Bad(source, $"bad CRC in the {type} chunk at offset {pos} (stored 0x{stored:X8}, computed 0x{computed:X8}); the file is damaged");

            if (header is null && type != "IHDR")
                throw Bad(source, $"the IHDR chunk is missing: the first chunk is {type}, and a PNG must start with IHDR");
            switch (type)
            {
                case "IHDR":
                    if (header is not null) throw Bad(source, "it has a second IHDR chunk; the file is corrupt");
                    header = ParseHeader(data, source);
                    break;
                case "PLTE":
                    if (palette is not null) throw Bad(source, "it has a second PLTE chunk; the file is corrupt");
                    if (idatChunks > 0) throw Bad(source, "its PLTE chunk comes after the image data (IDAT); the file is corrupt");
                    if (length == 0 || length % 3 != 0 || length > 256 * 3)
                        throw Bad(source, $"its PLTE chunk has {length} bytes; a palette is 1 to 256 RGB entries of 3 bytes");
                    palette = data.ToArray();
                    break;
                case "tRNS":
                    if (idatChunks > 0) throw Bad(source, "its tRNS chunk comes after the image data (IDAT); the file is corrupt");
                    transparency = ParseTransparency(data, header!, palette, source);
                    break;
                case "IDAT":
                    if (idatChunks > 0 && previous != "IDAT")
                        throw Bad(source, $"its IDAT chunks are not consecutive (a {previous} chunk comes between them); the file is corrupt");
                    idat.Write(data);
                    idatChunks++;
                    break;
                case "IEND":
                    break;
                default:
                    // Bit 5 of the first letter clear (upper case): a critical chunk, which a decoder must understand.
                    if ((typeBytes[0] & 0x20) == 0)
                        throw Bad(source, $"it has a critical chunk {type} that FcnLab does not know (it reads IHDR, PLTE, tRNS, IDAT and IEND); the file is corrupt or uses an extension");
                    break; // ancillary (gAMA, tEXt, pHYs, ...): nothing the pixels need
            }
            previous = type;
            pos += 12 + length;
            if (type == "IEND") break; // bytes after IEND are not part of the image
        }

        if (idatChunks == 0) throw Bad(source, "it has no IDAT chunk, so there is no image data");
        if (header!.ColorType == 3 && palette is null)
            throw Bad(source, "it is a palette image without a PLTE chunk (the palette is missing)");
        return DecodePixels(header, idat.ToArray(), palette, transparency, source);
    }

    private static Header ParseHeader(ReadOnlySpan<byte> data, string source)
    {
        if (data.Length != 13) throw Bad(source, $"its IHDR chunk has {data.Length} bytes instead of 13; the file is corrupt");
        uint width = BinaryPrimitives.ReadUInt32BigEndian(data);
        uint height = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        int depth = data[8], color = data[9];
        if (width == 0 || height == 0)
            throw Bad(source, $"IHDR declares a size of {width}x{height}; an image has at least 1x1 pixels");
        if (width > int.MaxValue || height > int.MaxValue)
            throw Bad(source, $"IHDR declares a size of {width}x{height}; PNG sizes are at most 2^31 - 1, so the header is corrupt");
        if ((long)width * height > MaxPixels)
            throw Bad(source, $"IHDR declares {width}x{height} = {(long)width * height} pixels, more than FcnLab decodes ({MaxPixels}); scale the picture down first (the model takes small images anyway)");
        int[]? depths = color switch
        {
            0 => [1, 2, 4, 8, 16],
            2 or 4 or 6 => [8, 16],
            3 => [1, 2, 4, 8],
            _ => null,
        };
        if (depths is null)
            throw Bad(source, $"IHDR declares color type {color}; PNG has color types 0 (gray), 2 (RGB), 3 (palette), 4 (gray+alpha) and 6 (RGBA)");
        if (!depths.Contains(depth))
            throw Bad(source, $"IHDR declares bit depth {depth} for color type {color} ({ColorName(color)}), which takes bit depths {string.Join("/", depths)}");
        if (data[10] != 0) throw Bad(source, $"IHDR declares compression method {data[10]}; PNG has only method 0 (deflate)");
        if (data[11] != 0) throw Bad(source, $"IHDR declares filter method {data[11]}; PNG has only method 0");
        if (data[12] > 1) throw Bad(source, $"IHDR declares interlace method {data[12]}; PNG has 0 (none) and 1 (Adam7)");
        return new Header((int)width, (int)height, depth, color, data[12] == 1);
    }

    private static byte[] ParseTransparency(ReadOnlySpan<byte> data, Header header, byte[]? palette, string source)
    {
        switch (header.ColorType)
        {
            case 3:
                if (palette is null) throw Bad(source, "its tRNS chunk comes before the PLTE chunk; the file is corrupt");
                if (data.Length > palette.Length / 3)
                    throw Bad(source, $"its tRNS chunk has {data.Length} alpha values but the palette only {palette.Length / 3} entries");
                return data.ToArray();
            case 0 when data.Length == 2:
            case 2 when data.Length == 6:
                return data.ToArray();
            case 0 or 2:
                throw Bad(source, $"its tRNS chunk has {data.Length} bytes; for a {ColorName(header.ColorType)} image it holds one {(header.ColorType == 0 ? "2-byte gray" : "6-byte RGB")} value");
            default:
                throw Bad(source, $"it has a tRNS chunk, which a {ColorName(header.ColorType)} image (with its own alpha channel) must not have; the file is corrupt");
        }
    }

    private static GrayImage DecodePixels(Header h, byte[] compressed, byte[]? palette, byte[]? transparency, string source)
    {
        // The exact inflated length: per pass, one filter byte and the packed samples of each row.
        var passes = h.Interlaced ? Adam7 : NoInterlace;
        long expected = 0;
        int widestRow = 0;
        foreach (var p in passes)
        {
            int pw = PassSize(h.Width, p.X0, p.Dx), ph = PassSize(h.Height, p.Y0, p.Dy);
            if (pw == 0 || ph == 0) continue;
            expected += ph * (1 + h.RowBytes(pw));
            widestRow = Math.Max(widestRow, (int)h.RowBytes(pw));
        }
        if (expected > compressed.Length * MaxDeflateRatio + 1024)
            throw Bad(source, $"the image data is too short: a {h.Describe()} needs {expected} bytes once inflated, more than its {compressed.Length} compressed bytes can hold; the file is truncated or its header is wrong");

        var pixels = new float[(long)h.Width * h.Height];
        var converter = new PixelConverter(h, palette, transparency, source);
        var row = new byte[widestRow + 1];
        var prior = new byte[widestRow];
        using var inflater = new ZLibStream(new MemoryStream(compressed, writable: false), CompressionMode.Decompress);
        long inflated = 0;
        int passNumber = 0;
        foreach (var p in passes)
        {
            passNumber++;
            int pw = PassSize(h.Width, p.X0, p.Dx), ph = PassSize(h.Height, p.Y0, p.Dy);
            if (pw == 0 || ph == 0) continue; // an empty pass has no bytes at all, not even filter bytes
            int rowBytes = (int)h.RowBytes(pw);
            prior.AsSpan(0, rowBytes).Clear(); // the row above a pass's first row counts as zeros
            for (int r = 0; r < ph; r++)
            {
                var line = row.AsSpan(0, rowBytes + 1);
                int got = ReadFully(inflater, line, source);
                inflated += got;
                if (got < line.Length)
                    throw Bad(source, $"the image data is too short: it inflates to {inflated} bytes, but a {h.Describe()} needs {expected}; the file is truncated or damaged");
                int filter = line[0];
                if (filter > 4)
                {
                    string where = h.Interlaced ? $"row {r} of interlace pass {passNumber}" : $"row {r}";
                    throw Bad(source, $"{where} has filter type {filter}; PNG has filter types 0 to 4, so the image data is corrupt");
                }
                var current = line[1..];
                Unfilter(filter, current, prior.AsSpan(0, rowBytes), h.FilterStride);
                int y = p.Y0 + r * p.Dy;
                for (int i = 0; i < pw; i++)
                {
                    int x = p.X0 + i * p.Dx;
                    pixels[(long)y * h.Width + x] = converter.Gray(current, i, x, y);
                }
                current.CopyTo(prior);
            }
        }
        Span<byte> probe = stackalloc byte[1];
        if (ReadFully(inflater, probe, source) > 0)
            throw Bad(source, $"the image data is too long: it inflates to more than the {expected} bytes a {h.Describe()} needs; the file is damaged or its header is wrong");
        return new GrayImage(h.Width, h.Height, pixels);
    }

    private static int PassSize(int size, int start, int step) => size <= start ? 0 : (size - start + step - 1) / step;

    // Undoes a row filter in place; x is the byte stride back to the pixel on the left, b the row above.
    private static void Unfilter(int filter, Span<byte> row, ReadOnlySpan<byte> above, int stride)
    {
        switch (filter)
        {
            case 0: break;
            case 1: // Sub: x + a
                for (int i = stride; i < row.Length; i++) row[i] += row[i - stride];
                break;
            case 2: // Up: x + b
                for (int i = 0; i < row.Length; i++) row[i] += above[i];
                break;
            case 3: // Average: x + floor((a + b) / 2)
                for (int i = 0; i < row.Length; i++)
                    row[i] += (byte)(((i >= stride ? row[i - stride] : 0) + above[i]) >> 1);
                break;
            case 4: // Paeth: x + the one of a, b, c nearest to a + b - c
                for (int i = 0; i < row.Length; i++)
                    row[i] += Paeth(i >= stride ? row[i - stride] : (byte)0, above[i], i >= stride ? above[i - stride] : (byte)0);
                break;
        }
    }

    private static byte Paeth(byte a, byte b, byte c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static int ReadFully(Stream input, Span<byte> buffer, string source)
    {
        int total = 0;
        try
        {
            while (total < buffer.Length)
            {
                int n = input.Read(buffer[total..]);
                if (n == 0) break;
                total += n;
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException) // zlib's own errors are IOExceptions (ZLibException)
        {
            throw Bad(source, $"the compressed image data (zlib) is corrupt: {e.Message}", e);
        }
        return total;
    }

    /// <summary>One pixel of an unfiltered row to gray 0..255.</summary>
    private sealed class PixelConverter(Header h, byte[]? palette, byte[]? transparency, string source)
    {
        private readonly double _scale = 255.0 / ((1 << h.BitDepth) - 1);

        public float Gray(ReadOnlySpan<byte> row, int pixel, int x, int y)
        {
            int c = h.Channels;
            switch (h.ColorType)
            {
                case 0:
                {
                    int v = Sample(row, pixel);
                    return IsKey(v, v, v) ? 255f : (float)(v * _scale);
                }
                case 2:
                {
                    int r = Sample(row, 3 * pixel), g = Sample(row, 3 * pixel + 1), b = Sample(row, 3 * pixel + 2);
                    return IsKey(r, g, b) ? 255f : (float)(Luma(r, g, b) * _scale);
                }
                case 3:
                {
                    int index = Sample(row, pixel);
                    int entries = palette!.Length / 3;
                    if (index >= entries)
                        throw Bad(source, $"pixel ({x}, {y}) uses palette index {index}, but the PLTE chunk has only {entries} entries (0..{entries - 1}); the file is corrupt");
                    double alpha = transparency is not null && index < transparency.Length ? transparency[index] / 255.0 : 1.0;
                    return OverWhite(Luma(palette[3 * index], palette[3 * index + 1], palette[3 * index + 2]), alpha);
                }
                default: // 4 (gray, alpha) and 6 (R, G, B, alpha)
                {
                    int first = c * pixel;
                    double value = c == 2 ? Sample(row, first) : Luma(Sample(row, first), Sample(row, first + 1), Sample(row, first + 2));
                    double alpha = Sample(row, first + c - 1) / (double)((1 << h.BitDepth) - 1);
                    return OverWhite(value * _scale, alpha);
                }
            }
        }

        // The sample with index i in a row of packed samples of BitDepth bits, most significant first.
        private int Sample(ReadOnlySpan<byte> row, int i)
        {
            switch (h.BitDepth)
            {
                case 8: return row[i];
                case 16: return row[2 * i] << 8 | row[2 * i + 1];
                default:
                    int bit = i * h.BitDepth;
                    int shift = 8 - h.BitDepth - (bit & 7);
                    return (row[bit >> 3] >> shift) & ((1 << h.BitDepth) - 1);
            }
        }

        // tRNS of a gray or RGB image: the one color that is fully transparent (so white, below).
        private bool IsKey(int r, int g, int b)
        {
            if (transparency is null) return false;
            if (h.ColorType == 0) return r == BinaryPrimitives.ReadUInt16BigEndian(transparency);
            return r == BinaryPrimitives.ReadUInt16BigEndian(transparency)
                && g == BinaryPrimitives.ReadUInt16BigEndian(transparency.AsSpan(2))
                && b == BinaryPrimitives.ReadUInt16BigEndian(transparency.AsSpan(4));
        }

        private static double Luma(int r, int g, int b) => 0.299 * r + 0.587 * g + 0.114 * b;

        private static float OverWhite(double gray, double alpha) => (float)(alpha * gray + (1 - alpha) * 255.0);
    }

    private static string ColorName(int colorType) => colorType switch
    {
        0 => "gray",
        2 => "RGB",
        3 => "palette",
        4 => "gray+alpha",
        6 => "RGBA",
        _ => $"color type {colorType}",
    };

    private static FcnLabException Bad(string source, string problem, Exception? inner = null)
    {
        string message = $"{source}: {problem}.";
        return inner is null ? new FcnLabException(message) : new FcnLabException(message, inner);
    }
}
