using System.Globalization;
using FcnLab.Engine;
using FcnLab.Engine.Data;

namespace FcnLab.Lab.Reports;

/// <summary>
/// The test images a report draws misclassified examples from: the data set's test split (raw 0..255
/// pixels, the order the trainer evaluated in), the shape of one image ([channels, height, width], or
/// [height, width] for one channel) and the display name of each class.
/// </summary>
public sealed class ReportImages
{
    public ImageSet Test { get; }
    /// <summary>[channels, height, width].</summary>
    public IReadOnlyList<int> Shape { get; }
    public IReadOnlyList<string> ClassNames { get; }

    public ReportImages(ImageSet test, IReadOnlyList<int> shape, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(classNames);
        if (shape.Count is < 2 or > 3 || shape.Any(d => d <= 0))
            throw new FcnLabException($"Image shape [{string.Join(", ", shape)}] is not valid for drawing images: give [channels, height, width] or [height, width] with positive sizes.");
        int[] full = shape.Count == 2 ? [1, shape[0], shape[1]] : [.. shape];
        if ((long)full[0] * full[1] * full[2] != test.Features)
            throw new FcnLabException($"Image shape [{string.Join(", ", shape)}] holds {(long)full[0] * full[1] * full[2]} pixels but the test images have {test.Features}.");
        Test = test;
        Shape = full;
        ClassNames = classNames;
    }

    public int Channels => Shape[0];
    public int Height => Shape[1];
    public int Width => Shape[2];

    /// <summary>The display name of class <paramref name="c"/>, or its number when there is no name for it.</summary>
    public string ClassName(int c) => c >= 0 && c < ClassNames.Count ? ClassNames[c] : c.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Test image <paramref name="index"/> as interleaved 8-bit samples for PNG: gray for one channel, RGB for
    /// three (the set stores channels first); any other channel count shows its first channel in gray.
    /// </summary>
    internal (byte[] Samples, int Channels) Samples(int index)
    {
        if (index < 0 || index >= Test.Count)
            throw new FcnLabException(
                $"Misclassified example {index} is outside the test set of {Test.Count} images; the images given are not the test set the run was evaluated on.");
        var pixels = Test.Image(index);
        int plane = Height * Width;
        int outChannels = Channels == 3 ? 3 : 1;
        var samples = new byte[plane * outChannels];
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < outChannels; c++)
                samples[p * outChannels + c] = ToByte(pixels[c * plane + p]);
        return (samples, outChannels);
    }

    private static byte ToByte(float v) => float.IsNaN(v) ? (byte)0 : (byte)Math.Clamp(MathF.Round(v), 0f, 255f);
}
