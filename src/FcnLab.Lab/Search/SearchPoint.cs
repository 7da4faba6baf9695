namespace FcnLab.Lab.Search;

/// <summary>
/// One point of a <see cref="SearchSpace"/>: a value for every parameter, in the space's order (a choice's
/// value is its index). Immutable. <see cref="ToParameters"/> gives the texts to store with a trial
/// (<see cref="SearchSpace.ParsePoint"/> reads them back exactly); <see cref="ToSettings"/> gives the
/// training settings to apply on top of the sweep's base config.
/// </summary>
public sealed class SearchPoint : IEquatable<SearchPoint>
{
    private readonly double[] _values;

    internal SearchPoint(SearchSpace space, double[] values)
    {
        Space = space;
        _values = values;
    }

    public SearchSpace Space { get; }

    /// <summary>The values in parameter order (a choice's value is the index of its text).</summary>
    public IReadOnlyList<double> Values => _values;

    /// <summary>The value of the named parameter (a choice: its index).</summary>
    public double this[string name] => _values[IndexOf(name)];

    /// <summary>The value of the named parameter as its setting's text (a choice: the chosen text).</summary>
    public string Text(string name)
    {
        int i = IndexOf(name);
        return Space.Parameters[i].Format(_values[i]);
    }

    /// <summary>Every parameter's name and text, in order: what the run store keeps of a trial's point.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToParameters() =>
        [.. Space.Parameters.Select((p, i) => new KeyValuePair<string, string>(p.Name, p.Format(_values[i])))];

    /// <summary>The training settings of this point (see <see cref="SearchSpace.Settings"/>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToSettings() => Space.Settings(this);

    public bool Equals(SearchPoint? other) =>
        other is not null && Space.Equals(other.Space) && _values.AsSpan().SequenceEqual(other._values);

    public override bool Equals(object? obj) => Equals(obj as SearchPoint);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (double v in _values) h.Add(v);
        return h.ToHashCode();
    }

    public override string ToString() => string.Join(", ", ToParameters().Select(p => $"{p.Key}={p.Value}"));

    private int IndexOf(string name) => Space.IndexOf(name) is var i and >= 0
        ? i
        : throw new Engine.FcnLabException($"'{name}' is not a parameter of this search space ({string.Join(", ", Space.Parameters.Select(p => p.Name))}).");
}
