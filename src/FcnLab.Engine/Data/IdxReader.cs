using System.Buffers.Binary;
using System.IO.Compression;

namespace FcnLab.Engine.Data;

/// <summary>
/// Reads IDX files (the MNIST format): a big-endian header (magic 0x0000TTDD with type TT = 0x08 for
/// unsigned bytes and DD dimensions, then one 32-bit size per dimension) followed by the data. Files may
/// be raw or gzip-compressed; gzip is detected from the 1f 8b header, not the name. Every defect —
/// wrong magic, short header, absurd sizes, missing or extra data, a broken gzip stream — becomes a
/// <see cref="FcnLabException"/> naming the file, never a crash or a silent partial read.
/// </summary>
public static class IdxReader
{
    public const int ImageMagic = 0x00000803;
    public const int LabelMagic = 0x00000801;

    // Bounds that no real image data set reaches but that catch a corrupt header before it makes us
    // allocate gigabytes.
    private const int MaxSide = 16384;
    private const long MaxBytes = 1L << 31;

    // Deflate cannot expand data by more than about 1032:1, so a gzip file of n bytes cannot hold more
    // than this many times n: a header declaring more is corrupt, and we can say so before allocating.
    private const long MaxDeflateRatio = 1040;

    /// <summary>Reads an image file: pixels as raw 0..255 floats, row-major, one image after another.</summary>
    public static (float[] Pixels, int Count, int Rows, int Cols) ReadImages(string path)
    {
        using var input = Open(path, out long limit);
        var header = ReadHeader(input, path, ImageMagic, 3, "image");
        int count = header[0], rows = header[1], cols = header[2];
        if (rows > MaxSide || cols > MaxSide)
            throw Bad(path, $"declares images of {rows}x{cols} pixels, which is not a plausible image size; the header is corrupt");
        long bytes = (long)count * rows * cols;
        var data = ReadBody(input, path, bytes, limit, $"{count} images of {rows}x{cols} pixels");

        var pixels = new float[data.Length];
        for (int i = 0; i < data.Length; i++) pixels[i] = data[i];
        return (pixels, count, rows, cols);
    }

    /// <summary>Reads a label file: one class index (0..255) per item.</summary>
    public static int[] ReadLabels(string path)
    {
        using var input = Open(path, out long limit);
        var header = ReadHeader(input, path, LabelMagic, 1, "label");
        int count = header[0];
        var data = ReadBody(input, path, count, limit, $"{count} labels");

        var labels = new int[data.Length];
        for (int i = 0; i < data.Length; i++) labels[i] = data[i];
        return labels;
    }

    /// <summary>Opens the file, unwrapping gzip when the content starts with 1f 8b. <paramref name="limit"/> bounds the decompressed length.</summary>
    private static Stream Open(string path, out long limit)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FcnLabException($"{path}: cannot open the file: {e.Message}", e);
        }

        try
        {
            long length = file.Length;
            if (length == 0)
                throw Bad(path, "the file is empty (0 bytes); download it again");
            int b0 = file.ReadByte(), b1 = file.ReadByte();
            file.Position = 0;
            if (b0 == 0x1f && b1 == 0x8b)
            {
                limit = length * MaxDeflateRatio + 1024;
                return new GZipStream(file, CompressionMode.Decompress, leaveOpen: false);
            }
            limit = length;
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static int[] ReadHeader(Stream input, string path, int expectedMagic, int dims, string kind)
    {
        Span<byte> header = stackalloc byte[4 + 4 * dims];
        int got = ReadFully(input, header, path);
        if (got == 0)
            throw Bad(path, "the file holds no data (it decompresses to 0 bytes); download it again");
        if (got < 4)
            throw Bad(path, $"the file is truncated: {got} bytes, too short for even the 4-byte IDX magic number");

        int magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != expectedMagic)
        {
            string hint = magic switch
            {
                LabelMagic => " — this is an IDX label file; were the image and label files swapped?",
                ImageMagic => " — this is an IDX image file; were the image and label files swapped?",
                _ when (magic & 0xFFFF0000) != 0 => " — this is not an IDX file (or it is damaged)",
                _ => " — an IDX file of another element type or rank, which FcnLab does not read",
            };
            throw Bad(path, $"wrong magic number 0x{magic:X8}, expected 0x{expectedMagic:X8} for an IDX {kind} file{hint}");
        }
        if (got < header.Length)
            throw Bad(path, $"the file is truncated inside its header: {got} of {header.Length} header bytes");

        var sizes = new int[dims];
        for (int d = 0; d < dims; d++)
        {
            int size = BinaryPrimitives.ReadInt32BigEndian(header[(4 + 4 * d)..]);
            if (size <= 0)
            {
                string what = d == 0 ? $"{kind} count" : d == 1 ? "image height (rows)" : "image width (columns)";
                string a = what.StartsWith('i') ? "an" : "a";
                // A size is an unsigned 32-bit number in the format, but more than 2^31 - 1 can never be: said as the number it is.
                throw Bad(path, size == 0
                    ? d == 0 ? $"declares zero {kind}s; the file holds no data" : $"declares {a} {what} of 0; it must be positive (the header is corrupt)"
                    : $"declares {a} {what} of {(uint)size}, more than an IDX size can be (at most 2^31 - 1); the header is corrupt");
            }
            sizes[d] = size;
        }
        return sizes;
    }

    private static byte[] ReadBody(Stream input, string path, long bytes, long limit, string declared)
    {
        if (bytes > MaxBytes || bytes > Array.MaxLength)
            throw Bad(path, $"declares {declared} ({bytes} bytes), more than FcnLab reads from one file; the header is corrupt");
        if (bytes > limit)
            throw Bad(path, $"declares {declared} ({bytes} bytes of data) but the file is far too small to hold them; it is truncated or its header is corrupt — download it again");

        var data = GC.AllocateUninitializedArray<byte>((int)bytes);
        int got = ReadFully(input, data, path);
        if (got < data.Length)
            throw Bad(path, $"the file is truncated: the header declares {declared} ({bytes} bytes of data) but only {got} bytes follow; download it again");

        Span<byte> probe = stackalloc byte[4096];
        long extra = 0;
        int n;
        while ((n = ReadSome(input, probe, path)) > 0) extra += n;
        if (extra > 0)
            throw Bad(path, $"{extra} unexpected bytes follow the {declared} the header declares; the file is damaged or its header count is wrong");
        return data;
    }

    private static int ReadFully(Stream input, Span<byte> buffer, string path)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = ReadSome(input, buffer[total..], path);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static int ReadSome(Stream input, Span<byte> buffer, string path)
    {
        try
        {
            return input.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw Bad(path, $"the gzip stream is corrupt ({e.Message}); download the file again", e);
        }
        catch (IOException e)
        {
            throw Bad(path, $"reading failed ({e.Message})", e);
        }
    }

    private static FcnLabException Bad(string path, string problem, Exception? inner = null)
    {
        string message = $"{path}: {problem}.";
        return inner is null ? new FcnLabException(message) : new FcnLabException(message, inner);
    }
}
