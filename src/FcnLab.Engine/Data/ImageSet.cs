namespace FcnLab.Engine.Data;

/// <summary>
/// One split of an image data set held in memory: <see cref="Count"/> images of <see cref="Features"/>
/// pixels each, row-major in <see cref="Pixels"/> on the raw 0..255 scale (normalization happens later,
/// with statistics from the training split only), and one class index per image.
/// </summary>
public sealed class ImageSet
{
    public float[] Pixels { get; }
    public int[] Labels { get; }
    public int Count { get; }
    public int Features { get; }

    public ImageSet(float[] pixels, int[] labels, int features)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        if (features <= 0)
            throw new FcnLabException($"An image set needs at least one pixel per image, not {features}.");
        if ((long)labels.Length * features != pixels.Length)
            throw new FcnLabException(
                $"An image set has {labels.Length} labels but {pixels.Length} pixel values, which is not {labels.Length} images of {features} pixels; the images and labels do not belong together.");
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] < 0)
                throw new FcnLabException($"Label {labels[i]} of image {i} is negative; class labels are 0, 1, 2, ...");
        Pixels = pixels;
        Labels = labels;
        Count = labels.Length;
        Features = features;
    }

    /// <summary>The pixels of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Image(int index) => Pixels.AsSpan(checked(index * Features), Features);

    /// <summary>The largest label plus one (0 for an empty set): the class count the labels imply.</summary>
    public int ImpliedClasses()
    {
        int max = -1;
        foreach (int label in Labels) max = Math.Max(max, label);
        return max + 1;
    }
}
