using FcnLab.Engine.Data;
using FcnLab.Engine.Png;

namespace FcnLab.Engine.Tests.Data;

public class ImageInputsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static float[] Ramp(int n) => [.. Enumerable.Range(0, n).Select(i => (float)(i * 37 % 256))];

    [Fact]
    public void Resize_SameSize_IsAnExactCopy()
    {
        var pixels = Ramp(35);
        var resized = ImageInputs.Resize(pixels, 5, 7, 5, 7);
        Assert.Equal(pixels, resized);
        Assert.NotSame(pixels, resized);
    }

    [Fact]
    public void Resize_Halving_AveragesEachBlock()
    {
        float[] pixels = [0, 2, 10, 20, 4, 6, 30, 40, 1, 1, 1, 1, 1, 1, 1, 5];
        Assert.Equal([3f, 25f, 1f, 2f], ImageInputs.Resize(pixels, 4, 4, 2, 2));
    }

    [Fact]
    public void Resize_Upscaled2x_ShrinksBackExactly()
    {
        var pixels = Ramp(6 * 5);
        var big = new float[12 * 10];
        for (int y = 0; y < 12; y++)
            for (int x = 0; x < 10; x++) big[y * 10 + x] = pixels[y / 2 * 5 + x / 2];
        Assert.Equal(pixels, ImageInputs.Resize(big, 12, 10, 6, 5));
        // Upscaling by an integer factor by area is pixel replication.
        Assert.Equal(big, ImageInputs.Resize(pixels, 6, 5, 12, 10));
    }

    [Fact]
    public void Resize_FractionalRatios_WeightPartlyCoveredPixels()
    {
        // 3 -> 2: output 0 covers input 0 and half of input 1, output 1 the other half and input 2.
        Assert.Equal([(30f + 0.5f * 60f) / 1.5f, (0.5f * 60f + 90f) / 1.5f], ImageInputs.Resize([30, 60, 90], 1, 3, 1, 2));
        // 2 -> 3: output 1 straddles both inputs equally.
        var up = ImageInputs.Resize([0, 90], 1, 2, 1, 3);
        Assert.Equal(0f, up[0]);
        Assert.Equal(45f, up[1], 4);
        Assert.Equal(90f, up[2]);
        // Area averaging keeps the mean for any ratio.
        var pixels = Ramp(17 * 13);
        var small = ImageInputs.Resize(pixels, 17, 13, 5, 4);
        Assert.Equal(pixels.Average(), small.Average(), 2);
    }

    [Fact]
    public void LooksDarkOnLight_ReadsTheBorder()
    {
        var dark = new float[25]; // black border, white center
        dark[12] = 255;
        Assert.False(ImageInputs.LooksDarkOnLight(dark, 5, 5));
        var light = Enumerable.Repeat(255f, 25).ToArray();
        light[12] = 0;
        Assert.True(ImageInputs.LooksDarkOnLight(light, 5, 5));
        Assert.True(ImageInputs.LooksDarkOnLight([200f], 1, 1));
    }

    [Fact]
    public void Load_Png_ResizesAndInverts()
    {
        string path = _dir.File("x.png");
        byte[] samples = [.. Enumerable.Range(0, 16).Select(i => (byte)(i * 16))];
        File.WriteAllBytes(path, PngEncoder.Encode(samples, 4, 4, 1));
        var plain = ImageInputs.Load(path, 2, 2, invert: false);
        Assert.Equal(InputKind.Png, plain.Kind);
        Assert.Equal(1, plain.Count);
        Assert.Equal([40f, 72f, 168f, 200f], plain.Pixels);
        var inverted = ImageInputs.Load(path, 2, 2, invert: true);
        Assert.Equal(plain.Pixels.Select(v => 255 - v), inverted.Pixels);
    }

    [Fact]
    public void Load_IdxWithLabels_AndCsvWithOrWithoutLabels()
    {
        string images = _dir.File("imgs"), labels = _dir.File("labels.gz");
        byte[] pixels = [.. Enumerable.Range(0, 3 * 4).Select(i => (byte)(i * 20))];
        IdxTestFiles.WriteFile(images, IdxTestFiles.ImageFileBytes(pixels, 3, 2, 2));
        IdxTestFiles.WriteFile(labels, IdxTestFiles.LabelFileBytes([2, 0, 1]), gzip: true);
        var idx = ImageInputs.Load(images, 2, 2, invert: false, labels);
        Assert.Equal(InputKind.Idx, idx.Kind);
        Assert.Equal(3, idx.Count);
        Assert.Equal(pixels.Select(b => (float)b), idx.Pixels);
        Assert.Equal([2, 0, 1], idx.Labels!);

        string labeled = _dir.File("a.csv"), bare = _dir.File("b.csv");
        File.WriteAllText(labeled, "label,p1,p2,p3,p4\n1,0,10,20,30\n0,5,5,5,5\n");
        File.WriteAllText(bare, "p1,p2,p3,p4\n0,10,20,30\n5,5,5,5.5\n");
        var a = ImageInputs.Load(labeled, 2, 2, invert: false);
        Assert.Equal([1, 0], a.Labels!);
        Assert.Equal([0f, 10, 20, 30, 5, 5, 5, 5], a.Pixels);
        var b = ImageInputs.Load(bare, 2, 2, invert: false);
        Assert.Null(b.Labels);
        Assert.Equal([0f, 10, 20, 30, 5, 5, 5, 5.5f], b.Pixels);

        var wrong = Assert.Throws<FcnLabException>(() => ImageInputs.Load(bare, 3, 3, invert: false));
        Assert.Contains("4 columns", wrong.Message);
        Assert.Contains("3x3 = 9 pixels", wrong.Message);
    }

    [Fact]
    public void Load_UnknownOrMismatchedInputs_AreClearErrors()
    {
        string text = _dir.File("notes.txt");
        File.WriteAllText(text, "hello");
        Assert.Contains("not a PNG", Assert.Throws<FcnLabException>(() => ImageInputs.Load(text, 2, 2, false)).Message);
        string fake = _dir.File("fake.png");
        File.WriteAllText(fake, "hello");
        Assert.Contains("PNG signature", Assert.Throws<FcnLabException>(() => ImageInputs.Load(fake, 2, 2, false)).Message);
        string csv = _dir.File("x.csv");
        File.WriteAllText(csv, "1,2,3,4\n");
        Assert.Contains("--labels", Assert.Throws<FcnLabException>(() => ImageInputs.Load(csv, 2, 2, false, labelsPath: "labels")).Message);
        string outOfRange = _dir.File("y.csv");
        File.WriteAllText(outOfRange, "1,2,3,400\n");
        Assert.Contains("outside [0, 255]", Assert.Throws<FcnLabException>(() => ImageInputs.Load(outOfRange, 2, 2, false)).Message);
        Assert.Contains("missing.png", Assert.Throws<FcnLabException>(() => ImageInputs.Load(_dir.File("missing.png"), 2, 2, false)).Message);
    }
}
