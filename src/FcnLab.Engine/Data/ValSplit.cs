using System.Globalization;
using FcnLab.Engine.Random;

namespace FcnLab.Engine.Data;

/// <summary>
/// How much of the training data to hold out for validation (--val-split): nothing (0), a fraction in
/// (0, 1), or a count of images. Splits are seeded and deterministic, and both parts come back in
/// ascending index order (the trainer shuffles batches separately).
/// </summary>
public sealed record ValSplit
{
    private const string Allowed =
        "--val-split takes a fraction in (0, 1) such as 0.1 (or 10%), a whole number of images >= 1 such as 5000, or 0 for no validation split";

    /// <summary>The fraction held out, when the split is a fraction; else null.</summary>
    public double? Fraction { get; }

    /// <summary>The number of images held out, when the split is a count; else null.</summary>
    public int? Count { get; }

    public bool IsNone => Fraction is null && Count is null;

    private ValSplit(double? fraction, int? count) => (Fraction, Count) = (fraction, count);

    public static ValSplit None { get; } = new(null, null);

    public static ValSplit OfFraction(double fraction) =>
        fraction is > 0 and < 1 ? new(fraction, null) : throw new FcnLabException($"{Allowed}; got the fraction {fraction.ToString(CultureInfo.InvariantCulture)}.");

    public static ValSplit OfCount(int count) =>
        count >= 1 ? new(null, count) : throw new FcnLabException($"{Allowed}; got the count {count}.");

    /// <summary>Parses "0", "0.1", "10%" or "5000".</summary>
    public static ValSplit Parse(string text)
    {
        string s = (text ?? "").Trim();
        bool percent = s.EndsWith('%');
        if (percent) s = s[..^1].TrimEnd();
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v) || v < 0)
            throw new FcnLabException($"{Allowed}; got '{text}'.");
        if (percent)
        {
            if (v == 0) return None;
            if (v is > 0 and < 100) return OfFraction(v / 100);
            throw new FcnLabException($"{Allowed}; got '{text}' (a percentage must be below 100%).");
        }
        if (v == 0) return None;
        if (v < 1) return OfFraction(v);
        // "1.0" is written as a fraction (the whole set, nothing left to train on); "1" is a count of one image.
        if (v == 1 && s.IndexOfAny(['.', 'e', 'E']) >= 0)
            throw new FcnLabException($"{Allowed}; got '{text}', the fraction 1: the whole training set, leaving nothing to train on (write 1 without a decimal point for a count of one image).");
        if (v == Math.Floor(v) && v <= int.MaxValue) return OfCount((int)v);
        throw new FcnLabException($"{Allowed}; got '{text}' (a value of 1 or more is a count and must be a whole number).");
    }

    /// <summary>The number of images held out of <paramref name="trainCount"/>; at least one image stays for training.</summary>
    public int SizeFor(int trainCount)
    {
        if (IsNone) return 0;
        int size = Count ?? Math.Max(1, (int)Math.Round(Fraction!.Value * trainCount, MidpointRounding.AwayFromZero));
        if (size >= trainCount)
            throw new FcnLabException(Count is not null
                ? $"--val-split {Count} holds out as many images as the training set has ({trainCount}); the count must be below {trainCount}."
                : $"--val-split {Fraction!.Value.ToString(CultureInfo.InvariantCulture)} of {trainCount} training images leaves none for training; use a smaller fraction or more data.");
        return size;
    }

    /// <summary>Why --val-from last and --stratify cannot go together.</summary>
    public const string LastWithStratify = "--stratify picks the validation images per class at random and --val-from last takes the last ones as they are: give one or the other.";

    /// <summary>The spellings of <see cref="ValFrom"/>, as flags, YAML and config.json write them.</summary>
    public static readonly EnumNames<ValFrom> FromSpellings = new("val-from", (ValFrom.Random, "random"), (ValFrom.Last, "last"));

    /// <summary>
    /// The held-out size when the last images are taken (<see cref="ValFrom.Last"/>): a count as given; a fraction as
    /// Keras's validation_split cuts, at floor(n * (1 - fraction)), so the same images are held out as in Keras.
    /// </summary>
    public int SizeFromEnd(int trainCount)
    {
        if (Fraction is not double f) return SizeFor(trainCount);
        int size = trainCount - (int)Math.Floor(trainCount * (1.0 - f));
        if (size < 1 || size >= trainCount)
            throw new FcnLabException($"--val-split {f.ToString(CultureInfo.InvariantCulture)} of {trainCount} training images with --val-from last holds out {size}; it must hold out at least one and leave at least one: use another fraction or more data.");
        return size;
    }

    /// <summary>
    /// Splits image indices 0..labels.Length-1 into training and validation parts, both ascending. From
    /// <see cref="ValFrom.Random"/>: a seeded random choice; with <paramref name="stratify"/>, each class gives the
    /// validation part its share of the held-out size (largest-remainder allocation, so the shares sum exactly),
    /// keeping class proportions. From <see cref="ValFrom.Last"/>: the last images, unshuffled (<see cref="SizeFromEnd"/>).
    /// </summary>
    public static (int[] Train, int[] Val) Split(int[] labels, ValSplit split, bool stratify, Rng rng, ValFrom from)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(rng);
        int n = labels.Length;
        if (split.IsNone) return ([.. Enumerable.Range(0, n)], []);
        if (n < 2)
            throw new FcnLabException($"A validation split needs at least 2 training images; there are {n}. Use --val-split 0.");
        if (from == ValFrom.Last)
        {
            if (stratify) throw new FcnLabException(LastWithStratify);
            int last = split.SizeFromEnd(n);
            return ([.. Enumerable.Range(0, n - last)], [.. Enumerable.Range(n - last, last)]);
        }
        int valSize = split.SizeFor(n);

        var isVal = new bool[n];
        if (!stratify)
        {
            var order = Enumerable.Range(0, n).ToArray();
            rng.Shuffle(order);
            for (int i = 0; i < valSize; i++) isVal[order[i]] = true;
        }
        else
        {
            var byClass = GroupByClass(labels);
            var take = Allocate(byClass.Select(g => g.Count).ToArray(), valSize, n);
            for (int c = 0; c < byClass.Length; c++)
            {
                var members = byClass[c].ToArray(); // ascending: the shuffle alone decides who is held out
                rng.Shuffle(members);
                for (int i = 0; i < take[c]; i++) isVal[members[i]] = true;
            }
        }

        var train = new int[n - valSize];
        var val = new int[valSize];
        int t = 0, v = 0;
        for (int i = 0; i < n; i++)
            if (isVal[i]) val[v++] = i; else train[t++] = i;
        return (train, val);
    }

    private static List<int>[] GroupByClass(int[] labels)
    {
        int max = -1;
        foreach (int y in labels)
        {
            if (y < 0) throw new FcnLabException($"Label {y} is negative; class labels are 0, 1, 2, ...");
            max = Math.Max(max, y);
        }
        var groups = new List<int>[max + 1];
        for (int c = 0; c <= max; c++) groups[c] = [];
        for (int i = 0; i < labels.Length; i++) groups[labels[i]].Add(i);
        return groups;
    }

    /// <summary>Largest-remainder shares of <paramref name="total"/> proportional to <paramref name="sizes"/>; ties go to the lower class.</summary>
    private static int[] Allocate(int[] sizes, int total, int n)
    {
        var take = new int[sizes.Length];
        var remainders = new (long Remainder, int Class)[sizes.Length];
        int given = 0;
        for (int c = 0; c < sizes.Length; c++)
        {
            // Exact integer arithmetic: total*size/n, with the remainder kept for the leftover pass.
            long product = (long)total * sizes[c];
            take[c] = (int)(product / n);
            remainders[c] = (product % n, c);
            given += take[c];
        }
        Array.Sort(remainders, (a, b) => a.Remainder != b.Remainder ? b.Remainder.CompareTo(a.Remainder) : a.Class.CompareTo(b.Class));
        for (int i = 0; given < total; i++, given++) take[remainders[i].Class]++;
        return take;
    }
}
