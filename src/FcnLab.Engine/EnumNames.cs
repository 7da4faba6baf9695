namespace FcnLab.Engine;

/// <summary>
/// How an enum's values are spelled in flags, YAML and files: one table per enum, the first spelling of
/// each value is the one written, later spellings of the same value are accepted aliases. Parsing
/// ignores case and surrounding spaces and takes '_' for '-'.
/// </summary>
public sealed class EnumNames<T> where T : struct, Enum
{
    private readonly Dictionary<T, string> _names = [];
    private readonly Dictionary<string, T> _values = new(StringComparer.Ordinal);
    private readonly string _what;

    /// <param name="what">What the values are, for messages ("activation").</param>
    /// <param name="spellings">Each value with its spelling, written ones first; every value of <typeparamref name="T"/> needs one.</param>
    public EnumNames(string what, params (T Value, string Name)[] spellings)
    {
        _what = what;
        foreach (var (value, name) in spellings)
        {
            _names.TryAdd(value, name);
            _values.Add(Key(name), value);
        }
        foreach (var value in Enum.GetValues<T>())
            if (!_names.ContainsKey(value)) throw new ArgumentException($"{typeof(T).Name}.{value} has no spelling.", nameof(spellings));
        Allowed = string.Join(", ", _names.Values);
    }

    /// <summary>The written spellings, comma-separated ("relu, sigmoid, tanh, leaky-relu").</summary>
    public string Allowed { get; }

    /// <summary>The spelling written for <paramref name="value"/>.</summary>
    public string Name(T value) =>
        _names.TryGetValue(value, out var name) ? name : throw new FcnLabException($"Unknown {_what} {Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)}; allowed: {Allowed}.");

    /// <summary>The value <paramref name="text"/> spells; an unknown spelling is an error that lists the allowed ones.</summary>
    public T Parse(string text) =>
        _values.TryGetValue(Key(text ?? ""), out var value) ? value : throw new FcnLabException($"Unknown {_what} '{text}'; allowed: {Allowed}.");

    private static string Key(string text) => text.Trim().ToLowerInvariant().Replace('_', '-');
}
