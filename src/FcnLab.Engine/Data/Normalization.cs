using System.Numerics;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Data;

/// <summary>
/// A fitted pixel normalization x -> (x - Mean) / Std on the raw 0..255 scale. Standardize fits one
/// global mean and standard deviation over all pixels of the training rows (per-pixel statistics would
/// divide by zero on the always-blank border); the values are saved with the model so prediction
/// normalizes exactly as training did.
/// </summary>
public sealed record Normalization(NormalizeKind Kind, float Mean, float Std)
{
    public static Normalization Scale { get; } = new(NormalizeKind.Scale, 0f, 255f);
    public static Normalization Identity { get; } = new(NormalizeKind.None, 0f, 1f);

    /// <summary>
    /// [-1, 1]: (x - 127.5) / 127.5 on the raw scale, which is torchvision's (x / 255 - 0.5) / 0.5 up to float32
    /// rounding (at most one unit in the last place; held to PyTorch's values for every pixel in the tests).
    /// </summary>
    public static Normalization Symmetric { get; } = new(NormalizeKind.Symmetric, 127.5f, 127.5f);

    /// <summary>The spellings of the kinds, as written in flags, YAML, config.json and model files.</summary>
    public static readonly EnumNames<NormalizeKind> Spellings = new("normalization",
        (NormalizeKind.Standardize, "standardize"), (NormalizeKind.Scale, "scale"), (NormalizeKind.None, "none"), (NormalizeKind.Symmetric, "symmetric"));

    /// <summary>Parses standardize, scale, none or symmetric (case-insensitive).</summary>
    public static NormalizeKind ParseKind(string text) => Spellings.Parse(text);

    /// <summary>The flag spelling of <paramref name="kind"/>, the inverse of <see cref="ParseKind"/>.</summary>
    public static string Name(NormalizeKind kind) => Spellings.Name(kind);

    /// <summary>
    /// Fits the normalization on the rows <paramref name="indices"/> of <paramref name="set"/> — pass the
    /// training split's indices so validation and test data never leak into the statistics.
    /// </summary>
    public static Normalization Fit(NormalizeKind kind, ImageSet set, ReadOnlySpan<int> indices)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (Fixed(kind) is { } fixedKind) return fixedKind;
        if (indices.IsEmpty)
            throw new FcnLabException("Cannot fit standardize statistics on zero training images.");

        // Two passes in double, rows in index order: accurate (no catastrophic cancellation) and the
        // same bits on every run and machine.
        double sum = 0;
        foreach (int i in indices) sum += RowSum(Row(set, i));
        double count = (double)indices.Length * set.Features;
        double mean = sum / count;
        double squares = 0;
        foreach (int i in indices)
        {
            squares += RowSquares(Row(set, i), mean);
        }
        double std = Math.Sqrt(squares / count);
        float meanF = (float)mean, stdF = (float)std;
        if (!(stdF > 0) || !float.IsFinite(stdF))
            throw new FcnLabException(
                $"--normalize standardize: all {count:0} training pixels have the same value ({mean:0.###}), so their standard deviation is 0 and there is nothing to divide by; use --normalize scale or none, or check the data.");
        return new Normalization(NormalizeKind.Standardize, meanF, stdF);
    }

    /// <summary>The normalization of a kind that needs no data (scale, none, symmetric); null for standardize, which is fitted.</summary>
    public static Normalization? Fixed(NormalizeKind kind) => kind switch
    {
        NormalizeKind.Scale => Scale,
        NormalizeKind.None => Identity,
        NormalizeKind.Symmetric => Symmetric,
        NormalizeKind.Standardize => null,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>A new [indices.Length, Features] tensor of the rows <paramref name="indices"/>, each pixel (x - Mean) / Std in float32.</summary>
    public Tensor Apply(ImageSet set, ReadOnlySpan<int> indices)
    {
        ArgumentNullException.ThrowIfNull(set);
        int f = set.Features;
        var tensor = Tensor.Zeros(indices.Length, f);
        var output = tensor.Span;
        for (int r = 0; r < indices.Length; r++)
            Normalize(Row(set, indices[r]), output.Slice(r * f, f), Mean, Std);
        return tensor;
    }

    /// <summary>(x - mean) / std elementwise; vector and scalar lanes compute the identical float32 operations.</summary>
    public static void Normalize(ReadOnlySpan<float> input, Span<float> output, float mean, float std)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var m = new Vector<float>(mean);
            var s = new Vector<float>(std);
            for (; i <= input.Length - Vector<float>.Count; i += Vector<float>.Count)
                ((new Vector<float>(input[i..]) - m) / s).CopyTo(output[i..]);
        }
        for (; i < input.Length; i++) output[i] = (input[i] - mean) / std;
    }

    private static ReadOnlySpan<float> Row(ImageSet set, int index)
    {
        if ((uint)index >= (uint)set.Count)
            throw new ArgumentOutOfRangeException(nameof(index), $"Image index {index} is outside the set of {set.Count}.");
        return set.Pixels.AsSpan(index * set.Features, set.Features);
    }

    // Four independent accumulators break the add latency chain; the order is still fixed, so the
    // result is the same on every run.
    private static double RowSum(ReadOnlySpan<float> row)
    {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = 0;
        for (; j <= row.Length - 4; j += 4) { s0 += row[j]; s1 += row[j + 1]; s2 += row[j + 2]; s3 += row[j + 3]; }
        for (; j < row.Length; j++) s0 += row[j];
        return (s0 + s1) + (s2 + s3);
    }

    private static double RowSquares(ReadOnlySpan<float> row, double mean)
    {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = 0;
        for (; j <= row.Length - 4; j += 4)
        {
            double d0 = row[j] - mean, d1 = row[j + 1] - mean, d2 = row[j + 2] - mean, d3 = row[j + 3] - mean;
            s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
        }
        for (; j < row.Length; j++) { double d = row[j] - mean; s0 += d * d; }
        return (s0 + s1) + (s2 + s3);
    }
}
