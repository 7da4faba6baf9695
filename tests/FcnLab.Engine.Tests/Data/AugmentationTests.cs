using FcnLab.Engine.Data;
using FcnLab.Engine.Random;

namespace FcnLab.Engine.Tests.Data;

public class AugmentationTests
{
    // A 1x3x4 image: pixel (r, q) = 10 r + q.
    private static readonly float[] Image = [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23];

    [Theory]
    [InlineData(0, 0, false, new float[] { 0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23 })]
    [InlineData(1, 0, false, new float[] { -1, -1, -1, -1, 0, 1, 2, 3, 10, 11, 12, 13 })]
    [InlineData(0, -2, false, new float[] { 2, 3, -1, -1, 12, 13, -1, -1, 22, 23, -1, -1 })]
    [InlineData(0, 0, true, new float[] { 3, 2, 1, 0, 13, 12, 11, 10, 23, 22, 21, 20 })]
    [InlineData(-1, 1, true, new float[] { 12, 11, 10, -1, 22, 21, 20, -1, -1, -1, -1, -1 })]
    public void Shift_MovesMirrorsAndFillsTheBorder(int dy, int dx, bool mirror, float[] expected)
    {
        var output = new float[12];
        Augmentation.Shift(Image, output, [1, 3, 4], dy, dx, mirror, fill: -1);
        Assert.Equal(expected, output);
    }

    [Fact]
    public void Apply_DrawsThreeNumbersPerImage_SoASeedFixesTheImages()
    {
        var a = new float[12];
        var b = new float[12];
        var rng = new Rng(3);
        Augmentation.Apply(Image, a, [1, 3, 4], -1, new ImageAugment(true, 0, 0, 0), rng);
        var replay = new Rng(3);
        int dy = replay.NextInt(5) - 2, dx = replay.NextInt(5) - 2;
        bool mirror = replay.NextInt(2) == 1;
        Augmentation.Shift(Image, b, [1, 3, 4], dy, dx, mirror, -1);
        Assert.Equal(b, a);
        Assert.Equal(replay.GetState(), rng.GetState());
    }

    /// <summary>torchvision's RandomCrop(size, padding): pad every side with the fill, cut the window at (top, left).</summary>
    private static float[] PaddedCrop(float[] image, int h, int w, int pad, int top, int left, float fill)
    {
        int ph = h + 2 * pad, pw = w + 2 * pad;
        var padded = Enumerable.Repeat(fill, ph * pw).ToArray();
        for (int r = 0; r < h; r++)
            for (int q = 0; q < w; q++) padded[(r + pad) * pw + q + pad] = image[r * w + q];
        var crop = new float[h * w];
        for (int r = 0; r < h; r++)
            for (int q = 0; q < w; q++) crop[r * w + q] = padded[(r + top) * pw + q + left];
        return crop;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void RandomCrop_IsThePaddedImagesWindow_AtEveryCornerItCanDraw(int pad)
    {
        // Every draw the crop can make, replayed: the two draws are the window's top and left corner in the padded image.
        var seen = new HashSet<(int, int)>();
        var rng = new Rng(7);
        var crop = new ImageAugment(false, pad, 0, 0);
        for (int k = 0; k < 2000; k++)
        {
            var replay = new Rng(0);
            replay.SetState(rng.GetState());
            int top = replay.NextInt(2 * pad + 1), left = replay.NextInt(2 * pad + 1);
            var output = new float[12];
            Augmentation.Apply(Image, output, [1, 3, 4], -1, crop, rng);
            Assert.Equal(PaddedCrop(Image, 3, 4, pad, top, left, -1), output);
            Assert.Equal(replay.GetState(), rng.GetState());
            seen.Add((top, left));
        }
        Assert.Equal((2 * pad + 1) * (2 * pad + 1), seen.Count);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.5)]
    public void HFlip_FlipsWithItsProbability_OneDrawPerImage(double p)
    {
        var rng = new Rng(11);
        var flip = new ImageAugment(false, 0, p, 0);
        var mirrored = new float[12];
        Augmentation.Shift(Image, mirrored, [1, 3, 4], 0, 0, true, -1);
        int flips = 0, n = 4000;
        for (int k = 0; k < n; k++)
        {
            var output = new float[12];
            Augmentation.Apply(Image, output, [1, 3, 4], -1, flip, rng);
            if (output.SequenceEqual(mirrored)) flips++;
            else Assert.Equal(Image, output);
        }
        // 4000 Bernoulli(p) draws: within 4 standard deviations.
        Assert.InRange(flips / (double)n, p - 4 * Math.Sqrt(p * (1 - p) / n), p + 4 * Math.Sqrt(p * (1 - p) / n));
    }

    [Fact]
    public void RandomErasing_ZeroesOneRectangleOfTheAllowedAreaAndShape_InEveryChannel()
    {
        // A 2x28x28 image of ones: what is erased is what became 0.
        int[] shape = [2, 28, 28];
        var ones = Enumerable.Repeat(1f, 2 * 28 * 28).ToArray();
        var rng = new Rng(5);
        var erase = new ImageAugment(false, 0, 0, 0.5);
        int erased = 0, n = 2000;
        double areaSum = 0;
        for (int k = 0; k < n; k++)
        {
            var output = new float[ones.Length];
            Augmentation.Apply(ones, output, shape, -1, erase, rng);
            var zeros = Enumerable.Range(0, 28 * 28).Where(i => output[i] == 0).ToList();
            Assert.Equal(zeros, Enumerable.Range(0, 28 * 28).Where(i => output[28 * 28 + i] == 0));
            if (zeros.Count == 0) continue;
            erased++;
            int top = zeros.Min(i => i / 28), bottom = zeros.Max(i => i / 28), left = zeros.Min(i => i % 28), right = zeros.Max(i => i % 28);
            int h = bottom - top + 1, w = right - left + 1;
            Assert.Equal(h * w, zeros.Count); // one solid rectangle
            Assert.True(h < 28 && w < 28);
            // round(sqrt(a r)) * round(sqrt(a / r)) stays within the area range, widened by the rounding of each side.
            Assert.InRange(h * w, 0.02 * 784 * 0.5, 0.33 * 784 * 1.5);
            Assert.InRange(h / (double)w, 0.3 / 2, 3.3 * 2);
            areaSum += h * w / 784.0;
        }
        Assert.InRange(erased / (double)n, 0.5 - 4 * Math.Sqrt(0.25 / n), 0.5 + 4 * Math.Sqrt(0.25 / n));
        // The mean erased area: near the middle of 2-33%, a little under it since the largest thin rectangles do not fit.
        Assert.InRange(areaSum / erased, 0.14, 0.19);
    }

    [Fact]
    public void TheAugmentSwitch_KeepsItsOwnDraws_AndGoesWithErasing()
    {
        var rng = new Rng(3);
        var a = new float[12];
        Augmentation.Apply(Image, a, [1, 3, 4], -1, new ImageAugment(true, 0, 0, 1), rng);
        var replay = new Rng(3);
        int dy = replay.NextInt(5) - 2, dx = replay.NextInt(5) - 2;
        bool mirror = replay.NextInt(2) == 1;
        var b = new float[12];
        Augmentation.Shift(Image, b, [1, 3, 4], dy, dx, mirror, -1);
        Assert.True(replay.NextDouble() < 1);
        Augmentation.Erase(b, [1, 3, 4], replay);
        Assert.Equal(b, a);
        Assert.Equal(replay.GetState(), rng.GetState());
    }
}
