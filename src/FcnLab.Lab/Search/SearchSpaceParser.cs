using System.Globalization;
using FcnLab.Engine;
using FcnLab.Engine.Training;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace FcnLab.Lab.Search;

/// <summary>
/// Reads a sweep spec's <c>space</c> block into a <see cref="SearchSpace"/>, in the style of
/// <see cref="Sweeps.SweepSpecParser"/>: keys are training settings (batch_size and batch-size both
/// accepted), each with one distribution, and every error names the setting, its line and what is allowed:
/// <code>
/// space:
///   lr: {log_uniform: [1e-5, 1e-1]}
///   dropout: {uniform: [0, 0.5]}
///   optimizer: {choice: [sgd, rmsprop, adam]}
///   batch-norm: {choice: [false, true]}
///   hidden: {layers: {int: [1, 4]}, width: {int_log: [64, 4096]}}
/// </code>
/// <c>hidden</c> is either the shape (layers and width, each int, int_log or choice; every hidden layer
/// that width) or a choice of lists such as <c>{choice: [[1200, 2000, 800], [512, 512]]}</c>;
/// <c>arch</c> is searched as a choice of architecture strings.
/// </summary>
public static class SearchSpaceParser
{
    private static readonly string[] Distributions = ["log_uniform", "uniform", "int", "int_log", "choice"];
    private const string Example = "{log_uniform: [1e-5, 1e-1]}";

    /// <summary>The space under a spec's <c>space:</c> key. <paramref name="source"/> names the file in errors.</summary>
    public static SearchSpace Parse(YamlNode space, string source = "spec")
    {
        var where = new Where(source);
        if (space is not YamlMappingNode map)
            throw where.Error(space, $"space must be a mapping from settings to distributions, e.g. space: {{ lr: {Example} }}.");
        if (map.Children.Count == 0)
            throw where.Error(space, $"space is empty: give at least one setting with a distribution, e.g. space: {{ lr: {Example} }}.");

        var parameters = new List<SearchParameter>();
        var keyNodes = new Dictionary<string, YamlNode>();
        foreach (var (keyNode, valueNode) in map.Children)
        {
            string key = keyNode is YamlScalarNode { Value: { Length: > 0 } k } ? k : throw where.Error(keyNode, "keys must be plain names.");
            string setting = TrainSettings.Canonical(key);
            if (setting == "seed")
                throw where.Error(keyNode, "space.seed: a search derives each trial's seed from the base seed and the trial number; set base.seed instead.");
            if (setting is "threads" or "preset")
                throw where.Error(keyNode, $"space.{key}: {setting} cannot be searched (threads never change results; put a preset in base).");
            if (!TrainSettings.IsKnown(setting))
                throw where.Error(keyNode, $"space.{key} is not a training setting. Known settings: {string.Join(", ", TrainSettings.All.Select(s => s.Name))}.");
            if (!keyNodes.TryAdd(setting, keyNode))
                throw where.Error(keyNode, $"space.{key} is given twice (batch_size and batch-size are the same setting).");

            if (setting == "hidden" && valueNode is YamlMappingNode shape && shape.Children.Keys.Any(k => k is YamlScalarNode { Value: "layers" or "width" }))
            {
                parameters.AddRange(ParseShape(shape, key, where));
                continue;
            }
            var p = ParseDistribution(valueNode, setting, $"space.{key}", where);
            if (p.Kind != DistributionKind.Choice && TrainSettings.All.First(s => s.Name == setting).IsSwitch)
                throw where.Error(valueNode, $"space.{key} is a switch: search it with {{choice: [false, true]}}.");
            if (setting == "hidden" && p.Kind != DistributionKind.Choice)
                throw where.Error(valueNode, "space.hidden is searched as a shape, hidden: {layers: {int: [1, 4]}, width: {int_log: [64, 4096]}}, or as a choice of lists, hidden: {choice: [[1200, 2000, 800], [512, 512]]}.");
            parameters.Add(p);
        }
        if (keyNodes.ContainsKey("arch") && keyNodes.ContainsKey("hidden"))
            throw where.Error(keyNodes["hidden"], "space searches both arch and hidden: an architecture string already says the hidden layers (--arch is not used with --hidden); search one of them.");

        try
        {
            return new SearchSpace(parameters);
        }
        catch (FcnLabException e)
        {
            throw where.Error(space, e.Message);
        }
    }

    /// <summary>A space written on its own as YAML text (the mapping that would stand under <c>space:</c>).</summary>
    public static SearchSpace Parse(string yaml, string source = "space")
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new FcnLabException($"{source}: not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.InnerException?.Message ?? e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            throw new FcnLabException($"{source}: not valid YAML: {e.Message}");
        }
        if (stream.Documents.Count != 1)
            throw new FcnLabException($"{source}: a search space is one YAML mapping from settings to distributions (found {stream.Documents.Count} documents).");
        return Parse(stream.Documents[0].RootNode, source);
    }

    private static IEnumerable<SearchParameter> ParseShape(YamlMappingNode shape, string key, Where where)
    {
        YamlNode? layers = null, width = null;
        foreach (var (k, v) in shape.Children)
        {
            switch ((k as YamlScalarNode)?.Value)
            {
                case "layers" when layers is null: layers = v; break;
                case "width" when width is null: width = v; break;
                case "layers" or "width": throw where.Error(k, $"space.{key}.{((YamlScalarNode)k).Value} is given twice.");
                default: throw where.Error(k, $"unknown key '{k}' in space.{key}: the shape has layers and width, e.g. hidden: {{layers: {{int: [1, 4]}}, width: {{int_log: [64, 4096]}}}}.");
            }
        }
        if (layers is null || width is null)
            throw where.Error(shape, $"space.{key} gives {(layers is null ? "width but no layers" : "layers but no width")}: the shape needs both, e.g. hidden: {{layers: {{int: [1, 4]}}, width: {{int_log: [64, 4096]}}}} (a fixed one is {{choice: [N]}}).");
        return [ParseDistribution(layers, SearchSpace.HiddenLayers, $"space.{key}.layers", where),
                ParseDistribution(width, SearchSpace.HiddenWidth, $"space.{key}.width", where)];
    }

    private static SearchParameter ParseDistribution(YamlNode node, string name, string label, Where where)
    {
        if (node is not YamlMappingNode map || map.Children.Count != 1)
            throw where.Error(node, $"{label} must be one distribution, e.g. {Example}: one of {string.Join(", ", Distributions)}. A fixed value belongs in base, a list of values in axes.");
        var (kindNode, argsNode) = map.Children.First();
        string kind = (kindNode as YamlScalarNode)?.Value ?? "";
        if (!Distributions.Contains(kind))
            throw where.Error(kindNode, $"{label}: unknown distribution '{kind}'. Known: {string.Join(", ", Distributions)}.");
        if (argsNode is not YamlSequenceNode args)
            throw where.Error(argsNode, kind == "choice"
                ? $"{label}: choice takes a list of values, e.g. {{choice: [sgd, rmsprop, adam]}}."
                : $"{label}: {kind} takes [low, high], e.g. {{{kind}: [{(kind.StartsWith("int", StringComparison.Ordinal) ? "1, 4" : "0, 0.5")}]}}.");

        // The list is read first (its errors point at the offending item); the factories then check the
        // bounds, and their messages name the parameter.
        Func<SearchParameter> make;
        switch (kind)
        {
            case "choice":
                var choices = args.Children.Select(item => ChoiceText(item, label, where)).ToList();
                make = () => SearchParameter.Choice(name, choices);
                break;
            case "int" or "int_log":
                var (lo, hi) = Bounds<long>(args, label, kind, where, s => long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) ? v : null, "whole numbers");
                make = kind == "int" ? () => SearchParameter.Int(name, lo, hi) : () => SearchParameter.IntLog(name, lo, hi);
                break;
            default:
                var (a, b) = Bounds<double>(args, label, kind, where, s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v : null, "numbers");
                make = kind == "uniform" ? () => SearchParameter.Uniform(name, a, b) : () => SearchParameter.LogUniform(name, a, b);
                break;
        }
        try
        {
            return make();
        }
        catch (FcnLabException e)
        {
            throw where.Error(argsNode, e.Message);
        }
    }

    private static (T Low, T High) Bounds<T>(YamlSequenceNode args, string label, string kind, Where where, Func<string, T?> parse, string what)
        where T : struct
    {
        if (args.Children.Count != 2)
            throw where.Error(args, $"{label}: {kind} takes two {what}, [low, high] (got {args.Children.Count} values).");
        var values = new T[2];
        for (int i = 0; i < 2; i++)
        {
            string text = args.Children[i] is YamlScalarNode { Value: { } v } ? v.Trim() : "";
            values[i] = parse(text) ?? throw where.Error(args.Children[i], $"{label}: {kind} bounds must be {what} (got '{text}').");
        }
        return (values[0], values[1]);
    }

    // A choice as `fcnlab train` would take the setting's value: a scalar as written, a list joined with commas ([] is "none").
    private static string ChoiceText(YamlNode item, string label, Where where)
    {
        switch (item)
        {
            case YamlScalarNode s:
                return (s.Value ?? "").Trim();
            case YamlSequenceNode seq:
                if (seq.Children.Count == 0) return "none";
                var parts = new List<string>();
                foreach (var part in seq.Children)
                {
                    if (part is not YamlScalarNode { Value: { } v })
                        throw where.Error(part, $"{label}: a list choice holds only plain values, e.g. [1200, 2000, 800].");
                    parts.Add(v.Trim());
                }
                return string.Join(",", parts);
            default:
                throw where.Error(item, $"{label}: a choice is a value or a list of values, not a mapping.");
        }
    }

    private sealed class Where(string source)
    {
        public FcnLabException Error(YamlNode node, string message) =>
            new($"{source}, line {node.Start.Line}: {message}");
    }
}
