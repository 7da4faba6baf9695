using System.Globalization;
using FcnLab.Engine;

namespace FcnLab.Lab.Search;

/// <summary>
/// An ordered list of named parameters to search over: a sweep spec's <c>space</c> block. The order is
/// the spec's and matters: samplers draw the parameters in this order from one generator per trial.
/// The network's shape is two whole-number parameters, <see cref="HiddenLayers"/> and
/// <see cref="HiddenWidth"/> (every hidden layer that wide), which <see cref="Settings"/> turns into
/// one setting <c>hidden: W,W,W</c>; a choice of <c>arch</c> strings is an ordinary choice parameter.
/// </summary>
public sealed class SearchSpace : IEquatable<SearchSpace>
{
    /// <summary>Number of hidden layers (0 is softmax regression: hidden "none").</summary>
    public const string HiddenLayers = "hidden.layers";

    /// <summary>Width of every hidden layer.</summary>
    public const string HiddenWidth = "hidden.width";

    private readonly SearchParameter[] _parameters;
    private readonly Dictionary<string, int> _index;

    /// <summary>A space of the given parameters, in order. Names are unique; hidden.layers and hidden.width come together.</summary>
    public SearchSpace(IEnumerable<SearchParameter> parameters)
    {
        _parameters = [.. parameters];
        if (_parameters.Length == 0)
            throw new FcnLabException("a search space needs at least one parameter, e.g. lr: {log_uniform: [1e-5, 1e-1]}.");
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _parameters.Length; i++)
            if (!_index.TryAdd(_parameters[i].Name, i))
                throw new FcnLabException($"search parameter '{_parameters[i].Name}' is given twice (batch_size and batch-size are the same setting).");
        CheckHidden();
    }

    public IReadOnlyList<SearchParameter> Parameters => _parameters;

    public int Count => _parameters.Length;

    /// <summary>The parameter of that name; a <see cref="FcnLabException"/> listing the names if there is none.</summary>
    public SearchParameter this[string name] => _parameters[IndexOfRequired(name)];

    /// <summary>The position of the named parameter, or -1.</summary>
    public int IndexOf(string name) => _index.TryGetValue(name, out int i) ? i : -1;

    /// <summary>A point from its values in parameter order (a choice's value is its index), each checked against its parameter.</summary>
    public SearchPoint CreatePoint(IReadOnlyList<double> values)
    {
        if (values.Count != _parameters.Length)
            throw new FcnLabException($"a point of this search space has {_parameters.Length} values ({string.Join(", ", _parameters.Select(p => p.Name))}), not {values.Count}.");
        var copy = new double[values.Count];
        for (int i = 0; i < copy.Length; i++)
        {
            if (!_parameters[i].Contains(values[i]))
                throw new FcnLabException($"search parameter '{_parameters[i].Name}': {SearchParameter.Text(values[i])} is not a value of {_parameters[i].Describe()}.");
            copy[i] = values[i];
        }
        return new SearchPoint(this, copy);
    }

    /// <summary>
    /// A point from parameter names and texts, as <see cref="SearchPoint.ToParameters"/> wrote them (the run
    /// store's record of a trial). Every parameter must be given once, and nothing else.
    /// </summary>
    public SearchPoint ParsePoint(IEnumerable<KeyValuePair<string, string>> texts)
    {
        var values = new double[_parameters.Length];
        var seen = new bool[_parameters.Length];
        foreach (var (name, text) in texts)
        {
            int i = IndexOf(name);
            if (i < 0)
                throw new FcnLabException($"'{name}' is not a parameter of this search space ({string.Join(", ", _parameters.Select(p => p.Name))}); was the space changed since the trial ran?");
            if (seen[i]) throw new FcnLabException($"search parameter '{name}' is given twice in one point.");
            values[i] = _parameters[i].Parse(text);
            seen[i] = true;
        }
        int missing = Array.IndexOf(seen, false);
        if (missing >= 0)
            throw new FcnLabException($"the point does not give search parameter '{_parameters[missing].Name}'; was the space changed since the trial ran?");
        return new SearchPoint(this, values);
    }

    /// <summary>
    /// The training settings of a point, as name/value texts in parameter order: each parameter is the
    /// setting of its name, except hidden.layers and hidden.width, which become one setting "hidden"
    /// ("W,W,W", or "none" for 0 layers) where the first of them stands.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Settings(SearchPoint point)
    {
        CheckOwn(point);
        var settings = new List<KeyValuePair<string, string>>(_parameters.Length);
        for (int i = 0; i < _parameters.Length; i++)
        {
            string name = _parameters[i].Name;
            if (name is HiddenLayers or HiddenWidth)
            {
                if (settings.Any(s => s.Key == "hidden")) continue;
                settings.Add(new("hidden", HiddenText(point)));
                continue;
            }
            settings.Add(new(name, _parameters[i].Format(point.Values[i])));
        }
        return settings;
    }

    public bool Equals(SearchSpace? other) =>
        other is not null && (ReferenceEquals(this, other) || _parameters.SequenceEqual(other._parameters));

    public override bool Equals(object? obj) => Equals(obj as SearchSpace);

    public override int GetHashCode() => HashCode.Combine(_parameters.Length, _parameters[0]);

    public override string ToString() => string.Join("; ", _parameters.Select(p => p.ToString()));

    internal void CheckOwn(SearchPoint point)
    {
        if (!Equals(point.Space))
            throw new FcnLabException($"the point ({point}) belongs to another search space than this one ({this}).");
    }

    private int IndexOfRequired(string name) => IndexOf(name) is var i and >= 0
        ? i
        : throw new FcnLabException($"'{name}' is not a parameter of this search space ({string.Join(", ", _parameters.Select(p => p.Name))}).");

    private string HiddenText(SearchPoint point)
    {
        long layers = WholeValue(this[HiddenLayers], point.Values[IndexOf(HiddenLayers)]);
        long width = WholeValue(this[HiddenWidth], point.Values[IndexOf(HiddenWidth)]);
        return layers == 0 ? "none" : string.Join(",", Enumerable.Repeat(width.ToString(CultureInfo.InvariantCulture), (int)layers));
    }

    // A hidden.* value as a number: the value itself, or the number a choice's text writes.
    private static long WholeValue(SearchParameter p, double value) =>
        p.Kind == DistributionKind.Choice ? long.Parse(p.Choices[(int)value], CultureInfo.InvariantCulture) : (long)value;

    private void CheckHidden()
    {
        bool layers = _index.ContainsKey(HiddenLayers), width = _index.ContainsKey(HiddenWidth);
        if (!layers && !width) return;
        if (!layers || !width)
            throw new FcnLabException($"the network's shape is searched with both {HiddenLayers} and {HiddenWidth}, e.g. hidden: {{layers: {{int: [1, 4]}}, width: {{int_log: [64, 4096]}}}}; a fixed one is written {{choice: [N]}}.");
        if (_index.ContainsKey("hidden"))
            throw new FcnLabException($"'hidden' is searched twice: as a parameter and as {HiddenLayers} / {HiddenWidth}.");
        CheckWholeRange(this[HiddenLayers], 0, 100, "a number of layers from 0 (softmax regression) to 100");
        CheckWholeRange(this[HiddenWidth], 1, 1 << 20, "a layer width from 1 to 1048576");
    }

    private static void CheckWholeRange(SearchParameter p, long min, long max, string what)
    {
        IEnumerable<long> values;
        if (p.Kind == DistributionKind.Choice)
        {
            var list = new List<long>();
            foreach (string c in p.Choices)
            {
                if (!long.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out long v))
                    throw new FcnLabException($"search parameter '{p.Name}': its choices must be whole numbers ({what}); '{c}' is not.");
                list.Add(v);
            }
            values = list;
        }
        else if (p.IsInteger)
        {
            values = [(long)p.Low, (long)p.High];
        }
        else
        {
            throw new FcnLabException($"search parameter '{p.Name}' takes whole numbers ({what}): use int, int_log or choice, not {p.Describe()}.");
        }
        if (values.Any(v => v < min || v > max))
            throw new FcnLabException($"search parameter '{p.Name}': {p.Describe()} goes outside {what}.");
    }
}
