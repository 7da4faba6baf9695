using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using FcnLab.Engine.Data;
using FcnLab.Engine.Png;
using FcnLab.Engine.Tests.Data;
using FcnLab.Engine.Tests.Png;
using FcnLab.Lab.Reports.Charts;

namespace FcnLab.Cli.Tests;

/// <summary>A model trained on the harness's tiny 8x8, 4-class data set, and that set's test images.</summary>
public sealed class PredictFixture : IDisposable
{
    public CliHarness Harness { get; } = new();
    public string RunDir { get; }
    public string TestImages { get; }
    public string TestLabels { get; }
    public float[] Pixels { get; }

    public PredictFixture()
    {
        RunDir = Harness.Path_("trained");
        var (code, output, err) = Harness.Train(RunDir, "--epochs", "4");
        if (code != 0) throw new InvalidOperationException($"The fixture's training failed ({code}): {err}{output}");
        TestImages = Path.Combine(Harness.DataDir, DatasetCatalog.TestImagesFile);
        TestLabels = Path.Combine(Harness.DataDir, DatasetCatalog.TestLabelsFile);
        Pixels = IdxReader.ReadImages(TestImages).Pixels;
    }

    public void Dispose() => Harness.Dispose();
}

/// <summary>fcnlab predict end to end: PNGs of test images give the same top class as the IDX source; bad input exits 2.</summary>
public sealed class PredictCommandTests(PredictFixture fixture) : IClassFixture<PredictFixture>
{
    private const int Side = 8;
    private readonly CliHarness _h = fixture.Harness;

    private byte[] Image(int index) => [.. fixture.Pixels.AsSpan(index * Side * Side, Side * Side).ToArray().Select(v => (byte)v)];

    private (int Code, string Out, string Err) Predict(params string[] args) => _h.Run(["predict", "--model", fixture.RunDir, "--threads", "1", .. args]);

    private static JsonElement[] Predictions(string json) => [.. JsonDocument.Parse(json).RootElement.GetProperty("predictions").EnumerateArray()];

    private static (int Class, double Probability) Best(JsonElement prediction)
    {
        var top = prediction.GetProperty("top")[0];
        return (top.GetProperty("class").GetInt32(), top.GetProperty("probability").GetDouble());
    }

    private string Write(string name, byte[] bytes)
    {
        string path = _h.Path_(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Idx_WithLabels_MatchesEvalAccuracy()
    {
        var (code, output, err) = Predict(fixture.TestImages, "--labels", fixture.TestLabels, "--json");
        Assert.True(code == 0, err);
        Assert.Equal("", err);
        var doc = JsonDocument.Parse(output).RootElement;
        Assert.Equal(60, doc.GetProperty("predictions").GetArrayLength());
        Assert.Equal(60, doc.GetProperty("labeled").GetInt32());
        var eval = _h.Run("eval", "--model", fixture.RunDir, "--data", _h.DataDir, "--json", "--threads", "1");
        Assert.Equal(0, eval.Code);
        double evalAccuracy = JsonDocument.Parse(eval.Out).RootElement.GetProperty("test_accuracy").GetDouble();
        Assert.Equal(evalAccuracy, doc.GetProperty("accuracy").GetDouble(), 12);
        Assert.True(evalAccuracy > 0.5, $"the fixture's model should have learned the bands (accuracy {evalAccuracy})");
        foreach (var p in Predictions(output))
        {
            var top = p.GetProperty("top");
            Assert.Equal(3, top.GetArrayLength());
            Assert.True(top[0].GetProperty("probability").GetDouble() >= top[1].GetProperty("probability").GetDouble());
        }

        var text = Predict(fixture.TestImages, "--labels", fixture.TestLabels, "--top", "2");
        Assert.Equal(0, text.Code);
        var lines = text.Out.TrimEnd().Split('\n');
        Assert.Equal(61, lines.Length);
        Assert.StartsWith($"{fixture.TestImages}[0]: ", lines[0]);
        Assert.Equal(2, lines[0].Split(", ").Length);
        Assert.StartsWith("accuracy ", lines[^1]);
    }

    [Fact]
    public void Pngs_GiveTheSameTopClassAsTheIdxSource()
    {
        var source = Predictions(Predict(fixture.TestImages, "--json").Out);
        for (int i = 0; i < 6; i++)
        {
            var image = Image(i);
            var rgb = image.SelectMany(v => new[] { v, v, v }).ToArray();
            var upscaled = new byte[4 * Side * Side];
            for (int y = 0; y < 2 * Side; y++)
                for (int x = 0; x < 2 * Side; x++) upscaled[y * 2 * Side + x] = image[y / 2 * Side + x / 2];
            // Black ink whose alpha is the pixel: over white it is the inverted picture, so it needs --invert.
            var ink = image.SelectMany(v => new byte[] { 0, 0, 0, v }).ToArray();
            var inverted = image.Select(v => (byte)(255 - v)).ToArray();
            var cases = new (string Name, byte[] Png, bool Invert)[]
            {
                ($"gray{i}.png", PngEncoder.Encode(image, Side, Side, 1), false),
                ($"rgb{i}.png", PngEncoder.Encode(rgb, Side, Side, 3), false),
                ($"rgba{i}.png", PngTestFiles.Encode([.. ink.Select(b => (int)b)], Side, Side, colorType: 6, bitDepth: 8), true), // the report encoder writes gray and RGB only
                ($"big{i}.png", PngEncoder.Encode(upscaled, 2 * Side, 2 * Side, 1), false),
                ($"inverted{i}.png", PngEncoder.Encode(inverted, Side, Side, 1), true),
            };
            var (want, wantP) = Best(source[i]);
            foreach (var (name, png, invert) in cases)
            {
                string path = Write(name, png);
                var (code, output, err) = invert ? Predict(path, "--json", "--invert") : Predict(path, "--json");
                Assert.True(code == 0, $"{name}: {err}");
                var (got, gotP) = Best(Predictions(output).Single());
                Assert.True(want == got, $"{name}: class {got}, the IDX image {i} gives {want}");
                Assert.True(Math.Abs(wantP - gotP) < 1e-4, $"{name}: probability {gotP}, the IDX image {i} gives {wantP}");
            }
        }
    }

    [Fact]
    public void DarkOnLight_WithoutInvert_Warns()
    {
        string path = Write("light.png", PngEncoder.Encode(Image(0).Select(v => (byte)(255 - v)).ToArray(), Side, Side, 1));
        var (code, output, err) = Predict(path);
        Assert.Equal(0, code);
        Assert.Contains("warning:", err);
        Assert.Contains("--invert", err);
        Assert.StartsWith($"{path}[0]: ", output);
        Assert.Equal("", Predict(path, "--invert").Err);
    }

    [Fact]
    public void Csv_WithLabels_PrintsAccuracy_PixelsOnly_DoesNot()
    {
        var labels = IdxReader.ReadLabels(fixture.TestLabels);
        var labeled = new StringBuilder("label," + string.Join(",", Enumerable.Range(1, 64).Select(j => $"pixel{j}")) + "\n");
        var bare = new StringBuilder();
        for (int i = 0; i < 10; i++)
        {
            labeled.AppendLine($"{labels[i]},{string.Join(",", Image(i))}");
            bare.AppendLine(string.Join(",", Image(i)));
        }
        string a = _h.Path_("labeled.csv"), b = _h.Path_("bare.csv");
        File.WriteAllText(a, labeled.ToString());
        File.WriteAllText(b, bare.ToString());
        var (code, output, err) = Predict(a, b, "--json");
        Assert.True(code == 0, err);
        var doc = JsonDocument.Parse(output).RootElement;
        Assert.Equal(10, doc.GetProperty("labeled").GetInt32());
        var p = Predictions(output);
        var source = Predictions(Predict(fixture.TestImages, "--json").Out);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(Best(source[i]).Class, Best(p[i]).Class);
            Assert.Equal(Best(source[i]).Class, Best(p[10 + i]).Class);
            Assert.Equal(labels[i], p[i].GetProperty("label").GetInt32());
            Assert.False(p[10 + i].TryGetProperty("label", out _));
        }
    }

    [Fact]
    public void CorruptOrUnsupportedPngs_Exit2WithAClearMessage()
    {
        var good = PngEncoder.Encode(Image(0), Side, Side, 1);
        var badCrc = (byte[])good.Clone();
        badCrc[8 + 25 + 12] ^= 0xFF;
        var badColor = (byte[])good.Clone();
        badColor[8 + 8 + 9] = 5; // color type, then the IHDR CRC is fixed
        BinaryPrimitives.WriteUInt32BigEndian(badColor.AsSpan(8 + 8 + 13), PngCrc32.Compute(badColor.AsSpan(8 + 4, 17)));
        var cases = new (string Name, byte[] Bytes, string Fragment)[]
        {
            ("crc.png", badCrc, "bad CRC in the IDAT chunk"),
            ("truncated.png", good[..^20], "truncated"),
            ("color.png", badColor, "color type 5"),
            ("text.png", Encoding.ASCII.GetBytes("not a picture"), "not a PNG file"),
            ("notes.bin", Encoding.ASCII.GetBytes("not a picture"), "predict reads"),
        };
        foreach (var (name, bytes, fragment) in cases)
        {
            string path = Write(name, bytes);
            var (code, output, err) = Predict(path, "--json");
            Assert.True(code == 2, $"{name}: exit {code}");
            Assert.Equal("", output);
            Assert.StartsWith($"error: {path}: ", err);
            Assert.Contains(fragment, err);
            Assert.Single(err.TrimEnd().Split('\n'));
        }
    }

    [Fact]
    public void BadFlags_Exit2()
    {
        string png = Write("ok.png", PngEncoder.Encode(Image(0), Side, Side, 1));
        var top = Predict(png, "--top", "9");
        Assert.Equal(2, top.Code);
        Assert.Contains("--top 9", top.Err);
        var labels = Predict(png, "--labels", fixture.TestLabels);
        Assert.Equal(2, labels.Code);
        Assert.Contains("--labels", labels.Err);
        Assert.Equal(2, _h.Run("predict", "--model", fixture.RunDir).Code); // no input
    }
}
