using System.Buffers.Binary;
using System.IO.Compression;
using FcnLab.Engine.Data;
using FcnLab.Engine.Random;

namespace FcnLab.Engine.Tests.Data;

/// <summary>
/// Writes tiny IDX files and data set directories for tests, so no test needs the real data. Images are
/// deterministic for a seed; with a learnable pattern each class lights its own band of rows, so a small
/// network can reach high accuracy in a few steps.
/// </summary>
public static class IdxTestFiles
{
    /// <summary>The bytes of an IDX image file: magic 0x00000803, count, rows, cols, then the pixels.</summary>
    public static byte[] ImageFileBytes(ReadOnlySpan<byte> pixels, int count, int rows, int cols)
    {
        var bytes = new byte[16 + pixels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, IdxReader.ImageMagic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), cols);
        pixels.CopyTo(bytes.AsSpan(16));
        return bytes;
    }

    /// <summary>The bytes of an IDX label file: magic 0x00000801, count, then the labels.</summary>
    public static byte[] LabelFileBytes(ReadOnlySpan<byte> labels)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, IdxReader.LabelMagic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), labels.Length);
        labels.CopyTo(bytes.AsSpan(8));
        return bytes;
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/>, gzip-compressed when asked.</summary>
    public static void WriteFile(string path, byte[] content, bool gzip = false)
    {
        if (!gzip)
        {
            File.WriteAllBytes(path, content);
            return;
        }
        using var file = File.Create(path);
        using var zip = new GZipStream(file, CompressionLevel.Fastest);
        zip.Write(content);
    }

    /// <summary>gzip-compressed <paramref name="content"/> in memory.</summary>
    public static byte[] Gzip(byte[] content)
    {
        using var memory = new MemoryStream();
        using (var zip = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true)) zip.Write(content);
        return memory.ToArray();
    }

    /// <summary>
    /// <paramref name="count"/> images of rows x cols bytes and their labels. Every class occurs (labels
    /// cycle through the classes, then are shuffled). Learnable: class k lights row band k over faint
    /// noise; otherwise pixels are uniform noise.
    /// </summary>
    public static (byte[] Pixels, byte[] Labels) MakeImages(int count, int rows, int cols, int classes, Rng rng, bool learnable = true)
    {
        if (classes is < 1 or > 256) throw new ArgumentOutOfRangeException(nameof(classes));
        var labels = new byte[count];
        for (int i = 0; i < count; i++) labels[i] = (byte)(i % classes);
        var order = Enumerable.Range(0, count).ToArray();
        rng.Shuffle(order);
        labels = [.. order.Select(i => labels[i])];

        var pixels = new byte[count * rows * cols];
        for (int i = 0; i < count; i++)
        {
            var image = pixels.AsSpan(i * rows * cols, rows * cols);
            int bandStart = labels[i] * rows / classes, bandEnd = Math.Max(bandStart + 1, (labels[i] + 1) * rows / classes);
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                {
                    bool lit = learnable && r >= bandStart && r < bandEnd;
                    image[r * cols + c] = (byte)(lit ? 180 + rng.NextInt(76) : learnable ? rng.NextInt(40) : rng.NextInt(256));
                }
        }
        return (pixels, labels);
    }

    /// <summary>
    /// Writes the four standard IDX files of a tiny data set into <paramref name="directory"/> (created if
    /// needed; names get ".gz" when <paramref name="gzip"/>) and returns the directory.
    /// </summary>
    public static string WriteDataset(string directory, int train = 60, int test = 20, int rows = 6, int cols = 6, int classes = 3,
        ulong seed = 1, bool learnable = true, bool gzip = false)
    {
        Directory.CreateDirectory(directory);
        var rng = new Rng(seed);
        string suffix = gzip ? ".gz" : "";
        var (trainX, trainY) = MakeImages(train, rows, cols, classes, rng, learnable);
        var (testX, testY) = MakeImages(test, rows, cols, classes, rng, learnable);
        WriteFile(Path.Combine(directory, DatasetCatalog.TrainImagesFile + suffix), ImageFileBytes(trainX, train, rows, cols), gzip);
        WriteFile(Path.Combine(directory, DatasetCatalog.TrainLabelsFile + suffix), LabelFileBytes(trainY), gzip);
        WriteFile(Path.Combine(directory, DatasetCatalog.TestImagesFile + suffix), ImageFileBytes(testX, test, rows, cols), gzip);
        WriteFile(Path.Combine(directory, DatasetCatalog.TestLabelsFile + suffix), LabelFileBytes(testY), gzip);
        return directory;
    }
}
