using FcnLab.Engine.Random;

namespace FcnLab.Engine.Data;

/// <summary>
/// Training-time augmentation (<c>--augment</c>): every time a training image is drawn it is shifted
/// by up to <see cref="MaxShift"/> pixels up or down and left or right (the uncovered border takes the
/// value of a black pixel) and mirrored left-right with probability 1/2, as torchvision's
/// RandomAffine(translate) and RandomHorizontalFlip would. Three draws per image, in batch order, from
/// the run's own "augment" generator: the same seed gives the same images, and a checkpoint carries
/// the generator, so a resumed run sees the same images as an uninterrupted one.
/// </summary>
public static class Augmentation
{
    public const int MaxShift = 2;

    /// <summary>Writes a randomly shifted and maybe mirrored copy of <paramref name="image"/> ([channels, height, width], normalized) into <paramref name="output"/>.</summary>
    /// <param name="fill">The normalized value of a black (0) pixel.</param>
    public static void Apply(ReadOnlySpan<float> image, Span<float> output, int[] shape, float fill, Rng rng)
    {
        int dy = rng.NextInt(2 * MaxShift + 1) - MaxShift;
        int dx = rng.NextInt(2 * MaxShift + 1) - MaxShift;
        bool mirror = rng.NextInt(2) == 1;
        Shift(image, output, shape, dy, dx, mirror, fill);
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
