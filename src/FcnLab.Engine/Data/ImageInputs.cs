using System.Buffers.Binary;
using FcnLab.Engine.Png;

namespace FcnLab.Engine.Data;

/// <summary>
/// The images of one prediction input file, converted to what a model takes: <see cref="Count"/> gray
/// images of the model's height x width, row-major in <see cref="Pixels"/> on the raw 0..255 scale (the
/// model's own normalization comes later). <see cref="Labels"/> when the file (CSV) or --labels gives them.
/// <see cref="DarkOnLight"/> counts the images whose border looked light (see <see cref="ImageInputs.LooksDarkOnLight"/>) before any inversion.
/// </summary>
public sealed record InputImages(string Source, InputKind Kind, int Count, float[] Pixels, int[]? Labels, int DarkOnLight);

public enum InputKind { Png, Idx, Csv }

/// <summary>
/// Loads the inputs of prediction: a PNG (one image, decoded to gray by <see cref="PngDecoder"/>), an IDX
/// image file (raw or .gz: every image in it) or a CSV (<c>label,pixel1,...</c> as the data set reader
/// takes, or pixels alone). The kind is told by the file's first bytes (PNG signature, gzip or IDX magic),
/// else by a .png or .csv name. Images of another size are resized to the model's by area averaging;
/// <c>invert</c> then maps x to 255 - x.
/// </summary>
public static class ImageInputs
{
    /// <summary>Reads <paramref name="path"/> as images of <paramref name="height"/> x <paramref name="width"/>; <paramref name="labelsPath"/> is an IDX label file for an IDX input.</summary>
    public static InputImages Load(string path, int height, int width, bool invert, string? labelsPath = null)
    {
        var kind = Detect(path);
        if (labelsPath is not null && kind != InputKind.Idx)
            throw new FcnLabException($"--labels names an IDX label file for an IDX image input, but {path} is a {kind.ToString().ToUpperInvariant()} file{(kind == InputKind.Csv ? " (a CSV carries its labels in its first column)" : "")}.");

        int features = height * width;
        float[] pixels;
        int count;
        int[]? labels = null;
        int darkOnLight = 0;
        switch (kind)
        {
            case InputKind.Png:
            {
                var image = PngDecoder.Read(path);
                if (LooksDarkOnLight(image.Pixels, image.Height, image.Width)) darkOnLight++;
                pixels = Resize(image.Pixels, image.Height, image.Width, height, width);
                count = 1;
                break;
            }
            case InputKind.Idx:
            {
                var (raw, n, rows, cols) = IdxReader.ReadImages(path);
                count = n;
                if ((long)n * features > Array.MaxLength)
                    throw new FcnLabException($"{path}: {n} images of {height}x{width} pixels are more than predict holds at once; split the file.");
                pixels = new float[n * features];
                for (int i = 0; i < n; i++)
                {
                    var image = raw.AsSpan(i * rows * cols, rows * cols);
                    if (LooksDarkOnLight(image, rows, cols)) darkOnLight++;
                    Resize(image, rows, cols, height, width).CopyTo(pixels.AsSpan(i * features, features));
                }
                if (labelsPath is not null)
                {
                    labels = IdxReader.ReadLabels(labelsPath);
                    if (labels.Length != n)
                        throw new FcnLabException($"{labelsPath}: holds {labels.Length} labels but {path} holds {n} images; pass the label file that belongs to the images.");
                }
                break;
            }
            default:
                (pixels, labels) = ReadCsv(path, features, height, width);
                count = pixels.Length / features;
                for (int i = 0; i < count; i++)
                    if (LooksDarkOnLight(pixels.AsSpan(i * features, features), height, width)) darkOnLight++;
                break;
        }
        if (invert)
            for (int i = 0; i < pixels.Length; i++) pixels[i] = 255f - pixels[i];
        return new InputImages(path, kind, count, pixels, labels, darkOnLight);
    }

    /// <summary>
    /// True when the mean of the image's border pixels (first and last row and column) is above 127:
    /// a dark drawing on a light background, the opposite of MNIST-style data (light on black).
    /// </summary>
    public static bool LooksDarkOnLight(ReadOnlySpan<float> pixels, int height, int width)
    {
        double sum = 0;
        long n = 0;
        for (int y = 0; y < height; y++)
        {
            bool edgeRow = y == 0 || y == height - 1;
            for (int x = 0; x < width; x++)
            {
                if (!edgeRow && x != 0 && x != width - 1) continue;
                sum += pixels[y * width + x];
                n++;
            }
        }
        return sum / n > 127;
    }

    /// <summary>
    /// Resizes a [height, width] gray image by area averaging (when shrinking, what PIL's BOX filter and OpenCV's
    /// INTER_AREA do): each output pixel is the mean of the input area it covers, input pixels it covers in part
    /// weighted by the part. A 2x-upscaled image shrinks back to exactly the original; the same size is an
    /// exact copy. Separable weights, accumulated in double, one output row at a time.
    /// </summary>
    public static float[] Resize(ReadOnlySpan<float> pixels, int height, int width, int toHeight, int toWidth)
    {
        if (pixels.Length != (long)height * width)
            throw new ArgumentException($"A {height}x{width} image has {(long)height * width} pixels, not {pixels.Length}.", nameof(pixels));
        if (height == toHeight && width == toWidth) return pixels.ToArray();

        var columns = AreaWeights(width, toWidth);
        var rows = AreaWeights(height, toHeight);
        // Output row by output row, so memory is the output's whatever the input's size: each output pixel
        // is sum over its input rows of weight * (sum over its input columns of weight * pixel).
        var result = new float[toHeight * toWidth];
        var line = new double[toWidth];
        for (int y = 0; y < toHeight; y++)
        {
            Array.Clear(line);
            foreach (var (sourceRow, rowWeight) in rows[y])
            {
                var source = pixels.Slice(sourceRow * width, width);
                for (int x = 0; x < toWidth; x++)
                {
                    double sum = 0;
                    foreach (var (index, weight) in columns[x]) sum += weight * source[index];
                    line[x] += rowWeight * sum;
                }
            }
            for (int x = 0; x < toWidth; x++) result[y * toWidth + x] = (float)line[x];
        }
        return result;
    }

    // For each output position of an axis of `to` pixels: the input pixels under [o * from / to, (o + 1) * from / to)
    // and the fraction of the output pixel each covers (they sum to 1).
    private static (int Index, double Weight)[][] AreaWeights(int from, int to)
    {
        var weights = new (int, double)[to][];
        double scale = (double)from / to;
        for (int o = 0; o < to; o++)
        {
            // Integer numerators keep the ends exact: the last output ends at exactly `from`.
            double start = (double)o * from / to, end = (double)(o + 1) * from / to;
            int first = (int)Math.Floor(start), last = Math.Min(from - 1, (int)Math.Ceiling(end) - 1);
            var list = new List<(int, double)>();
            for (int i = first; i <= last; i++)
            {
                double covered = Math.Min(end, i + 1) - Math.Max(start, i);
                if (covered > 0) list.Add((i, covered / scale));
            }
            weights[o] = [.. list];
        }
        return weights;
    }

    private static InputKind Detect(string path)
    {
        Span<byte> head = stackalloc byte[8];
        int got;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            got = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FcnLabException($"{path}: cannot open the file: {e.Message}", e);
        }
        head = head[..got];
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (PngDecoder.HasSignature(head) || extension == ".png") return InputKind.Png;
        if (head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b) return InputKind.Idx; // gzip: an .gz IDX file
        if (head.Length >= 4 && BinaryPrimitives.ReadInt32BigEndian(head) is IdxReader.ImageMagic or IdxReader.LabelMagic) return InputKind.Idx;
        if (extension == ".csv") return InputKind.Csv;
        throw new FcnLabException(got == 0
            ? $"{path}: the file is empty (0 bytes); predict reads a PNG, an IDX image file (raw or .gz) or a .csv file."
            : $"{path}: not a PNG (no PNG signature), not an IDX image file (no IDX magic number or gzip header) and not named .csv; predict reads those.");
    }

    // CSV lines of label + features pixels go to the data set reader; lines of features pixels alone are read here.
    private static (float[] Pixels, int[]? Labels) ReadCsv(string path, int features, int height, int width)
    {
        string? first;
        try { first = File.ReadLines(path).FirstOrDefault(l => !string.IsNullOrWhiteSpace(l)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FcnLabException($"{path}: cannot read the file: {e.Message}", e);
        }
        if (first is null)
            throw new FcnLabException($"{path}: the file holds no data rows; expected lines of label,pixel1,...,pixel{features} or pixel1,...,pixel{features}.");
        int columns = first.Count(c => c == ',') + 1;
        if (columns == features + 1)
        {
            var (set, _) = CsvReader.Read(path, [1, height, width]);
            return (set.Pixels, set.Labels);
        }
        if (columns != features)
            throw new FcnLabException($"{path}: lines have {columns} columns, but the model takes {height}x{width} = {features} pixels; predict reads lines of label + {features} pixels ({features + 1} columns) or of {features} pixels alone.");
        return (CsvReader.ReadUnlabeled(path).Pixels, null);
    }
}
