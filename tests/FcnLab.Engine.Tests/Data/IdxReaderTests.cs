using System.Buffers.Binary;
using FcnLab.Engine.Data;
using FcnLab.Engine.Random;

namespace FcnLab.Engine.Tests.Data;

public class IdxReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] SampleImages(int count = 5, int rows = 3, int cols = 4)
    {
        var pixels = new byte[count * rows * cols];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 7 % 256);
        return IdxTestFiles.ImageFileBytes(pixels, count, rows, cols);
    }

    private string Write(string name, byte[] content, bool gzip = false)
    {
        string path = _dir.File(name);
        IdxTestFiles.WriteFile(path, content, gzip);
        return path;
    }

    private static FcnLabException AssertFails(Action read, string path, params string[] fragments)
    {
        var e = Assert.Throws<FcnLabException>(read);
        Assert.Contains(path, e.Message);
        foreach (string f in fragments) Assert.Contains(f, e.Message, StringComparison.OrdinalIgnoreCase);
        return e;
    }

    [Theory]
    [InlineData(false, "images")]
    [InlineData(true, "images.gz")]
    [InlineData(true, "images-no-gz-suffix")] // gzip is found from the content, not the name
    public void Images_RoundTrip(bool gzip, string name)
    {
        var (pixels, _) = IdxTestFiles.MakeImages(7, 5, 3, 2, new Rng(3));
        string path = Write(name, IdxTestFiles.ImageFileBytes(pixels, 7, 5, 3), gzip);

        var read = IdxReader.ReadImages(path);

        Assert.Equal((7, 5, 3), (read.Count, read.Rows, read.Cols));
        Assert.Equal(pixels.Select(b => (float)b), read.Pixels);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Labels_RoundTrip(bool gzip)
    {
        byte[] labels = [0, 9, 3, 255, 1];
        string path = Write("labels", IdxTestFiles.LabelFileBytes(labels), gzip);
        Assert.Equal(labels.Select(b => (int)b), IdxReader.ReadLabels(path));
    }

    [Fact]
    public void WrongMagic_NamesFoundAndExpected()
    {
        string path = Write("labels-as-images", IdxTestFiles.LabelFileBytes([1, 2, 3]));
        AssertFails(() => IdxReader.ReadImages(path), path, "0x00000801", "0x00000803", "swapped");

        var junk = SampleImages();
        BinaryPrimitives.WriteInt32BigEndian(junk, 0x3C68746D); // "<htm": a saved web page
        string junkPath = Write("page.html", junk);
        AssertFails(() => IdxReader.ReadImages(junkPath), junkPath, "magic", "not an IDX file");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(11)]
    public void TruncatedHeader(int keep)
    {
        string path = Write("short", SampleImages()[..keep]);
        AssertFails(() => IdxReader.ReadImages(path), path, "truncated");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedData(bool gzip)
    {
        var bytes = SampleImages();
        string path = Write("cut", bytes[..^5], gzip);
        AssertFails(() => IdxReader.ReadImages(path), path, "truncated", "5 images of 3x4");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TrailingBytes(bool gzip)
    {
        string path = Write("long", [.. SampleImages(), 1, 2, 3], gzip);
        AssertFails(() => IdxReader.ReadImages(path), path, "3 unexpected bytes");

        string labels = Write("labels-long", [.. IdxTestFiles.LabelFileBytes([1, 2]), 7]);
        AssertFails(() => IdxReader.ReadLabels(labels), labels, "1 unexpected bytes");
    }

    [Fact]
    public void ZeroItems()
    {
        string path = Write("none", IdxTestFiles.ImageFileBytes([], 0, 28, 28));
        AssertFails(() => IdxReader.ReadImages(path), path, "zero images");
        string labels = Write("no-labels", IdxTestFiles.LabelFileBytes([]));
        AssertFails(() => IdxReader.ReadLabels(labels), labels, "zero labels");
    }

    [Theory]
    [InlineData(5, 0, 4, "height")]
    [InlineData(5, 3, -1, "width")]
    [InlineData(-5, 3, 4, "declares an image count of 4294967291, more than an IDX size can be")]
    [InlineData(int.MinValue, 3, 4, "declares an image count of 2147483648, more than an IDX size can be (at most 2^31 - 1)")]
    [InlineData(5, int.MinValue, 4, "declares an image height (rows) of 2147483648, more than")]
    [InlineData(5, 3, 0, "declares an image width (columns) of 0; it must be positive")]
    [InlineData(5, 100000, 4, "not a plausible image size")]
    [InlineData(int.MaxValue, 1000, 1000, "corrupt")]
    [InlineData(1000000, 28, 28, "far too small")] // declares 784 MB in a file of a few bytes: refused before allocating
    public void BadDimensions(int count, int rows, int cols, string fragment)
    {
        var bytes = SampleImages();
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), cols);
        string path = Write("dims", bytes);
        AssertFails(() => IdxReader.ReadImages(path), path, fragment);
    }

    [Fact]
    public void GzipHeaderDeclaringFarMoreThanItCanHold_IsRefusedBeforeAllocating()
    {
        string path = Write("bomb.gz", IdxTestFiles.ImageFileBytes([], 1_000_000, 28, 28), gzip: true);
        AssertFails(() => IdxReader.ReadImages(path), path, "far too small");
    }

    [Fact]
    public void EmptyFile()
    {
        string path = Write("empty", []);
        AssertFails(() => IdxReader.ReadImages(path), path, "empty");
        string gz = Write("empty.gz", [], gzip: true);
        AssertFails(() => IdxReader.ReadLabels(gz), gz, "0 bytes");
    }

    [Fact]
    public void CorruptGzip()
    {
        var gz = IdxTestFiles.Gzip(SampleImages(50, 10, 10));
        for (int i = 12; i < gz.Length - 8; i += 3) gz[i] ^= 0x5A; // wreck the deflate blocks, keep the 1f 8b header
        string path = Write("broken.gz", gz);
        AssertFails(() => IdxReader.ReadImages(path), path);

        string cut = Write("cut.gz", IdxTestFiles.Gzip(SampleImages(50, 10, 10))[..40]);
        AssertFails(() => IdxReader.ReadImages(cut), cut);
    }

    [Fact]
    public void MissingFile()
    {
        string path = Path.Combine(_dir.Path, "nope");
        AssertFails(() => IdxReader.ReadLabels(path), path, "cannot open");
    }
}
