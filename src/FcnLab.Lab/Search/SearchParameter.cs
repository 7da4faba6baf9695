using System.Globalization;
using FcnLab.Engine;

namespace FcnLab.Lab.Search;

/// <summary>
/// One named parameter of a search space and its distribution. Values travel as doubles: a real number
/// as itself, a whole number as an exact integer-valued double, a choice as the index of the chosen
/// text in <see cref="Choices"/>. <see cref="Format"/> and <see cref="Parse"/> turn a value into the text
/// a setting and the run store hold and back (invariant culture; reals in round-trip form, so a stored
/// point reads back bit for bit). The factories check the bounds and throw a
/// <see cref="FcnLabException"/> that names the parameter.
/// </summary>
public sealed class SearchParameter : IEquatable<SearchParameter>
{
    // Whole numbers travel as doubles, which hold every integer up to 2^53 exactly.
    private const long MaxWhole = 1L << 53;

    private SearchParameter(string name, DistributionKind kind, double low, double high, IReadOnlyList<string> choices)
    {
        Name = name;
        Kind = kind;
        Low = low;
        High = high;
        Choices = choices;
    }

    /// <summary>The parameter's name: a setting's flag name (lr, weight-decay) or hidden.layers / hidden.width.</summary>
    public string Name { get; }

    public DistributionKind Kind { get; }

    /// <summary>Lower bound, inclusive (numeric kinds; 0 for a choice).</summary>
    public double Low { get; }

    /// <summary>Upper bound, inclusive (numeric kinds; the last index for a choice).</summary>
    public double High { get; }

    /// <summary>The choices as written (choice only; empty otherwise).</summary>
    public IReadOnlyList<string> Choices { get; }

    /// <summary>Sampled on a log scale (log_uniform, int_log).</summary>
    public bool IsLog => Kind is DistributionKind.LogUniform or DistributionKind.IntLog;

    /// <summary>Takes whole numbers only (int, int_log).</summary>
    public bool IsInteger => Kind is DistributionKind.Int or DistributionKind.IntLog;

    /// <summary>A real number uniform in [low, high].</summary>
    public static SearchParameter Uniform(string name, double low, double high)
    {
        CheckName(name);
        CheckReal(name, "uniform", low, high);
        return new(name, DistributionKind.Uniform, low, high, []);
    }

    /// <summary>A real number in [low, high] whose logarithm is uniform (learning rates, weight decay).</summary>
    public static SearchParameter LogUniform(string name, double low, double high)
    {
        CheckName(name);
        CheckReal(name, "log_uniform", low, high);
        if (low <= 0)
            throw new FcnLabException($"search parameter '{name}': log_uniform needs 0 < low < high (got [{Text(low)}, {Text(high)}]); a log scale cannot reach 0 — use uniform for a range that includes 0.");
        return new(name, DistributionKind.LogUniform, low, high, []);
    }

    /// <summary>A whole number in [low, high], each equally likely.</summary>
    public static SearchParameter Int(string name, long low, long high)
    {
        CheckName(name);
        CheckWhole(name, "int", low, high);
        return new(name, DistributionKind.Int, low, high, []);
    }

    /// <summary>A whole number in [low, high], 1 &lt;= low, uniform in log(value) then rounded (layer widths).</summary>
    public static SearchParameter IntLog(string name, long low, long high)
    {
        CheckName(name);
        CheckWhole(name, "int_log", low, high);
        if (low < 1)
            throw new FcnLabException($"search parameter '{name}': int_log needs 1 <= low < high (got [{low}, {high}]); a log scale cannot reach 0 — use int for a range that includes 0.");
        return new(name, DistributionKind.IntLog, low, high, []);
    }

    /// <summary>One of the given texts (optimizer names, switch values, arch strings, or numbers as written).</summary>
    public static SearchParameter Choice(string name, IEnumerable<string> choices)
    {
        CheckName(name);
        var list = new List<string>();
        foreach (string c in choices)
        {
            if (string.IsNullOrWhiteSpace(c))
                throw new FcnLabException($"search parameter '{name}': a choice is empty; every choice is a value, e.g. {{choice: [sgd, adam]}}.");
            if (list.Contains(c))
                throw new FcnLabException($"search parameter '{name}': choice lists '{c}' twice.");
            list.Add(c);
        }
        if (list.Count == 0)
            throw new FcnLabException($"search parameter '{name}': choice is an empty list; give at least one value, e.g. {{choice: [sgd, adam]}}.");
        return new(name, DistributionKind.Choice, 0, list.Count - 1, list.AsReadOnly());
    }

    /// <summary>Whether <paramref name="value"/> is a value of this parameter (a choice: a valid index).</summary>
    public bool Contains(double value)
    {
        if (!double.IsFinite(value) || value < Low || value > High) return false;
        return Kind is DistributionKind.Uniform or DistributionKind.LogUniform || value == Math.Floor(value);
    }

    /// <summary>The value as the setting's text: a choice's text, a whole number's digits, a real number in round-trip form.</summary>
    public string Format(double value)
    {
        if (!Contains(value))
            throw new FcnLabException($"search parameter '{Name}': {Text(value)} is not a value of {Describe()}.");
        return Kind switch
        {
            DistributionKind.Choice => Choices[(int)value],
            DistributionKind.Int or DistributionKind.IntLog => ((long)value).ToString(CultureInfo.InvariantCulture),
            _ => Text(value),
        };
    }

    /// <summary>Reads a value back from the text <see cref="Format"/> wrote (e.g. from the run store).</summary>
    public double Parse(string text)
    {
        string t = text.Trim();
        switch (Kind)
        {
            case DistributionKind.Choice:
                for (int i = 0; i < Choices.Count; i++)
                    if (Choices[i] == t) return i;
                throw new FcnLabException($"search parameter '{Name}': '{t}' is not one of its choices ({string.Join(", ", Choices)}).");
            case DistributionKind.Int or DistributionKind.IntLog:
                if (long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long whole) && Contains(whole))
                    return whole;
                break;
            default:
                if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double real) && Contains(real))
                    return real;
                break;
        }
        throw new FcnLabException($"search parameter '{Name}': '{t}' is not a value of {Describe()}.");
    }

    /// <summary>The distribution as a spec writes it, e.g. "log_uniform [1e-05, 0.1]" or "choice [sgd, adam]".</summary>
    public string Describe() => Kind switch
    {
        DistributionKind.Uniform => $"uniform [{Text(Low)}, {Text(High)}]",
        DistributionKind.LogUniform => $"log_uniform [{Text(Low)}, {Text(High)}]",
        DistributionKind.Int => $"int [{Text(Low)}, {Text(High)}]",
        DistributionKind.IntLog => $"int_log [{Text(Low)}, {Text(High)}]",
        _ => $"choice [{string.Join(", ", Choices)}]",
    };

    public override string ToString() => $"{Name}: {Describe()}";

    public bool Equals(SearchParameter? other) =>
        other is not null && (ReferenceEquals(this, other)
            || (Name == other.Name && Kind == other.Kind && Low.Equals(other.Low) && High.Equals(other.High) && Choices.SequenceEqual(other.Choices)));

    public override bool Equals(object? obj) => Equals(obj as SearchParameter);

    public override int GetHashCode() => HashCode.Combine(Name, Kind, Low, High, Choices.Count);

    internal static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static void CheckName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Any(char.IsWhiteSpace))
            throw new FcnLabException($"search parameter '{name}': a parameter's name is a setting's name, without spaces.");
    }

    private static void CheckReal(string name, string kind, double low, double high)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high) || !(low < high))
            throw new FcnLabException($"search parameter '{name}': {kind} needs [low, high] with low < high, both finite (got [{Text(low)}, {Text(high)}]).");
    }

    private static void CheckWhole(string name, string kind, long low, long high)
    {
        if (low >= high)
            throw new FcnLabException($"search parameter '{name}': {kind} needs [low, high] with low < high (got [{low}, {high}]); a fixed value is written {{choice: [{low}]}}.");
        if (low < -MaxWhole || high > MaxWhole)
            throw new FcnLabException($"search parameter '{name}': {kind} bounds must lie within +-2^53 (got [{low}, {high}]).");
    }
}
