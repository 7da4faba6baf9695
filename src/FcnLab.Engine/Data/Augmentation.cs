using FcnLab.Engine.Random;

namespace FcnLab.Engine.Data;

/// <summary>
/// Training-time augmentation (<see cref="ImageAugment"/>). <c>--augment</c>: every time a training image
/// is drawn it is shifted by up to <see cref="MaxShift"/> pixels up or down and left or right (the
/// uncovered border takes the value of a black pixel) and mirrored left-right with probability 1/2, as
/// torchvision's RandomAffine(translate) and RandomHorizontalFlip would: three draws per image.
/// <c>--random-crop PAD</c> is RandomCrop(size, padding=PAD) with black padding, the same as a shift of
/// up to PAD pixels each way (two draws); <c>--hflip P</c> one draw; <c>--random-erasing P</c> one draw,
/// and when it erases, two per attempt and two for the place (torchvision's RandomErasing with its
/// defaults: area 2-33% of the image, aspect ratio 0.3-3.3 on a log scale, value 0, 10 attempts). All
/// draws come in batch order from the run's own "augment" generator: the same seed gives the same
/// images, and a checkpoint carries the generator, so a resumed run sees the same images as an
/// uninterrupted one.
/// </summary>
public static class Augmentation
{
    public const int MaxShift = 2;

    // torchvision.transforms.RandomErasing's defaults.
    public const double ErasingMinArea = 0.02, ErasingMaxArea = 0.33, ErasingMinRatio = 0.3, ErasingMaxRatio = 3.3;
    public const int ErasingAttempts = 10;

    /// <summary>Writes a randomly transformed copy of <paramref name="image"/> ([channels, height, width], normalized) into <paramref name="output"/>.</summary>
    /// <param name="fill">The normalized value of a black (0) pixel: what a shift or a crop's padding shows.</param>
    public static void Apply(ReadOnlySpan<float> image, Span<float> output, int[] shape, float fill, ImageAugment augment, Rng rng)
    {
        int dy = 0, dx = 0;
        bool mirror = false;
        if (augment.ShiftAndFlip)
        {
            dy = rng.NextInt(2 * MaxShift + 1) - MaxShift;
            dx = rng.NextInt(2 * MaxShift + 1) - MaxShift;
            mirror = rng.NextInt(2) == 1;
        }
        else
        {
            if (augment.RandomCrop > 0)
            {
                // RandomCrop's top-left corner i in [0, 2 PAD] of the padded image is a shift of PAD - i.
                dy = augment.RandomCrop - rng.NextInt(2 * augment.RandomCrop + 1);
                dx = augment.RandomCrop - rng.NextInt(2 * augment.RandomCrop + 1);
            }
            if (augment.HFlip > 0) mirror = rng.NextDouble() < augment.HFlip;
        }
        Shift(image, output, shape, dy, dx, mirror, fill);
        if (augment.RandomErasing > 0 && rng.NextDouble() < augment.RandomErasing) Erase(output, shape, rng);
    }

    /// <summary>
    /// RandomErasing's rectangle: an area of 2-33% of the image and an aspect ratio log-uniform in [0.3, 3.3],
    /// h = round(sqrt(area * ratio)), w = round(sqrt(area / ratio)); tried up to 10 times until it fits, then
    /// placed uniformly and set to 0 (the normalized data's 0, as torchvision erases after Normalize) in every channel.
    /// </summary>
    public static void Erase(Span<float> image, int[] shape, Rng rng)
    {
        int channels = shape[0], height = shape[1], width = shape[2];
        double area = height * width;
        double logMin = Math.Log(ErasingMinRatio), logMax = Math.Log(ErasingMaxRatio);
        for (int attempt = 0; attempt < ErasingAttempts; attempt++)
        {
            double target = area * (ErasingMinArea + (ErasingMaxArea - ErasingMinArea) * rng.NextDouble());
            double ratio = Math.Exp(logMin + (logMax - logMin) * rng.NextDouble());
            // Python's round() rounds halves to even, as Math.Round does by default.
            int h = (int)Math.Round(Math.Sqrt(target * ratio)), w = (int)Math.Round(Math.Sqrt(target / ratio));
            if (!(h < height && w < width)) continue;
            int top = rng.NextInt(height - h + 1), left = rng.NextInt(width - w + 1);
            for (int c = 0; c < channels; c++)
                for (int r = top; r < top + h; r++)
                    image.Slice((c * height + r) * width + left, w).Clear();
            return;
        }
    }

    /// <summary>output[c, r, q] = image[c, r - dy, q' - dx] with q' = W-1-q when mirrored, else q; <paramref name="fill"/> outside the image.</summary>
    public static void Shift(ReadOnlySpan<float> image, Span<float> output, int[] shape, int dy, int dx, bool mirror, float fill)
    {
        int channels = shape[0], h = shape[1], w = shape[2];
        for (int c = 0; c < channels; c++)
        {
            for (int r = 0; r < h; r++)
            {
                var dst = output.Slice((c * h + r) * w, w);
                int sr = r - dy;
                if (sr < 0 || sr >= h)
                {
                    dst.Fill(fill);
                    continue;
                }
                var src = image.Slice((c * h + sr) * w, w);
                for (int q = 0; q < w; q++)
                {
                    int sq = (mirror ? w - 1 - q : q) - dx;
                    dst[q] = sq >= 0 && sq < w ? src[sq] : fill;
                }
            }
        }
    }
}
