using System.Globalization;
using System.Text.RegularExpressions;
using FcnLab.Engine;
using FcnLab.Engine.Training;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace FcnLab.Lab.Sweeps;

/// <summary>
/// Reads a sweep spec (YAML) into a <see cref="SweepSpec"/>. Every key is checked: unknown keys, wrong
/// types, empty axes and values `fcnlab train` would refuse are errors that name the key, its line and
/// what is allowed. Setting keys are the flag names (batch_size and batch-size both accepted).
/// </summary>
public static partial class SweepSpecParser
{
    private static readonly string[] TopKeys = ["name", "description", "base", "axes", "repeats", "study"];
    private static readonly string[] StudyKeys = ["source", "table", "preprocessing", "assumptions", "published"];
    private static readonly string[] PublishedMetricKeys = [.. PublishedRow.Metrics.Select(m => m.Key)];

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]*$")]
    private static partial Regex NamePattern();

    /// <summary>
    /// Reads the spec file at <paramref name="path"/>. A relative `data:` (in base or an axis) means relative to the spec
    /// file's directory, wherever the command runs: it is resolved here, once, and the spec's text (what the store keeps
    /// and workers expand) and its trials' identity carry the full path.
    /// </summary>
    public static SweepSpec ParseFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FcnLabException($"Cannot read sweep spec '{path}': {e.Message}");
        }
        return ResolveData(Parse(text, path), Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>The spec with each relative `data:` directory made full against <paramref name="specDir"/>; the same spec when there is none.</summary>
    private static SweepSpec ResolveData(SweepSpec spec, string specDir)
    {
        string Full(string dir) => Path.IsPathFullyQualified(dir) ? dir : Path.GetFullPath(Path.Combine(specDir, dir));
        bool Relative(string dir) => !Path.IsPathFullyQualified(dir);
        if (!spec.Base.Any(b => b.Key == "data" && Relative(b.Value)) && !spec.Axes.Any(a => a.Setting == "data" && a.Values.Any(Relative))) return spec;
        var resolved = spec with
        {
            Base = [.. spec.Base.Select(b => b.Key == "data" ? new KeyValuePair<string, string>(b.Key, Full(b.Value)) : b)],
            Axes = [.. spec.Axes.Select(a => a.Setting == "data" ? a with { Values = [.. a.Values.Select(Full)] } : a)],
        };
        return resolved with { SourceText = SweepSpecWriter.ToYaml(resolved) };
    }

    public static SweepSpec Parse(string text, string source = "spec")
    {
        var root = LoadRoot(text, source);
        var where = new Where(source);
        CheckKeys(root, TopKeys, "the top level", where);

        string name = RequiredScalar(root, "name", where);
        if (!NamePattern().IsMatch(name) || name.Length > 100)
            throw where.Error(root, $"name '{name}' must be lower-case letters, digits, '.', '_' or '-' (it becomes a directory name), at most 100 characters.");
        string? description = OptionalScalar(root, "description", where);

        var baseSettings = new List<KeyValuePair<string, string>>();
        long baseSeed = 1;
        if (Get(root, "base") is { } baseNode)
        {
            var map = AsMapping(baseNode, "base", "a mapping of settings, e.g. base: { epochs: 20, batch_size: 512 }", where);
            foreach (var (keyNode, valueNode) in map.Children)
            {
                string key = KeyText(keyNode, where);
                string setting = TrainSettings.Canonical(key);
                string value = SettingValue(valueNode, $"base.{key}", where);
                if (setting == "seed")
                {
                    if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out baseSeed))
                        throw where.Error(valueNode, $"base.seed must be a whole number (got '{value}').");
                    continue;
                }
                if (setting != "preset" && !TrainSettings.IsKnown(setting))
                    throw where.Error(keyNode, $"base.{key} is not a training setting. Known settings: preset, {string.Join(", ", TrainSettings.All.Select(s => s.Name))}.");
                if (baseSettings.Any(s => s.Key == setting))
                    throw where.Error(keyNode, $"base.{key} is given twice (batch_size and batch-size are the same setting).");
                baseSettings.Add(new(setting, value));
            }
        }

        var axes = new List<SweepAxis>();
        var axesNode = Get(root, "axes") ?? throw where.Error(root, "the spec has no 'axes': give at least one setting with a list of values, e.g. axes: { lr: [0.1, 0.01] }.");
        var axesMap = AsMapping(axesNode, "axes", "a mapping from settings to lists of values, e.g. axes: { lr: [0.1, 0.01] }", where);
        if (axesMap.Children.Count == 0) throw where.Error(axesNode, "axes is empty: give at least one setting with a list of values, e.g. axes: { lr: [0.1, 0.01] }.");
        foreach (var (keyNode, valueNode) in axesMap.Children)
        {
            string key = KeyText(keyNode, where);
            string setting = TrainSettings.Canonical(key);
            if (setting == "seed") throw where.Error(keyNode, "axes.seed: seeds come from 'repeats' (base seed, base seed + 1, ...); set base.seed and repeats instead.");
            if (setting is "threads" or "preset")
                throw where.Error(keyNode, $"axes.{key}: {setting} cannot be swept (threads never change results; put a preset in base).");
            if (!TrainSettings.IsKnown(setting))
                throw where.Error(keyNode, $"axes.{key} is not a training setting. Known settings: {string.Join(", ", TrainSettings.All.Select(s => s.Name))}.");
            if (axes.Any(a => a.Setting == setting) )
                throw where.Error(keyNode, $"axes.{key} is given twice.");
            if (baseSettings.Any(s => s.Key == setting))
                throw where.Error(keyNode, $"axes.{key} is also set in base: a setting is either fixed in base or swept in axes.");
            if (valueNode is not YamlSequenceNode seq)
                throw where.Error(valueNode, $"axes.{key} must be a list of values, e.g. {key}: [a, b] (got a single value; a one-value axis is written [value]).");
            if (seq.Children.Count == 0) throw where.Error(valueNode, $"axes.{key} is an empty list: give at least one value.");
            var values = new List<string>();
            foreach (var item in seq.Children)
            {
                string v = SettingValue(item, $"axes.{key}", where);
                if (values.Contains(v)) throw where.Error(item, $"axes.{key} lists '{v}' twice.");
                values.Add(v);
            }
            axes.Add(new SweepAxis(setting, values));
        }

        int repeats = 1;
        if (Get(root, "repeats") is { } repeatsNode)
        {
            string r = ScalarText(repeatsNode, "repeats", "a whole number >= 1", where);
            if (!int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out repeats) || repeats < 1 || repeats > 1000)
                throw where.Error(repeatsNode, $"repeats must be a whole number from 1 to 1000 (got '{r}').");
        }

        StudyInfo? study = null;
        if (Get(root, "study") is { } studyNode) study = ParseStudy(studyNode, axes, where);

        var spec = new SweepSpec
        {
            Name = name,
            Description = description,
            Base = baseSettings,
            Axes = axes,
            Repeats = repeats,
            BaseSeed = baseSeed,
            Study = study,
            SourceText = text,
        };
        CheckEveryPoint(spec, source);
        return spec;
    }

    /// <summary>Resolves every grid point now, so a bad value (e.g. lr: [abc]) is refused before any training starts.</summary>
    private static void CheckEveryPoint(SweepSpec spec, string source)
    {
        foreach (var point in SweepGrid.Points(spec))
        {
            try
            {
                SweepGrid.Resolve(spec, point, spec.BaseSeed).Validate();
            }
            catch (FcnLabException e)
            {
                string at = point.Count == 0 ? "" : " at " + string.Join(", ", point.Select(p => $"{p.Key}={p.Value}"));
                throw new FcnLabException($"{source}: the grid point{at} is not a valid training: {e.Message}");
            }
        }
    }

    private static StudyInfo ParseStudy(YamlNode node, IReadOnlyList<SweepAxis> axes, Where where)
    {
        var map = AsMapping(node, "study", "a mapping with source, table, preprocessing, assumptions and published", where);
        CheckKeys(map, StudyKeys, "study", where);
        var assumptions = new List<string>();
        if (Get(map, "assumptions") is { } a)
        {
            if (a is not YamlSequenceNode seq) throw where.Error(a, "study.assumptions must be a list of sentences.");
            foreach (var item in seq.Children) assumptions.Add(ScalarText(item, "study.assumptions", "a sentence", where));
        }
        var published = new List<PublishedRow>();
        if (Get(map, "published") is { } p)
        {
            if (p is not YamlSequenceNode rows) throw where.Error(p, "study.published must be a list of rows, e.g. - { lr: 0.1, test_acc: 85.1 }.");
            foreach (var rowNode in rows.Children) published.Add(ParsePublishedRow(rowNode, axes, where));
        }
        return new StudyInfo
        {
            Source = RequiredScalar(map, "source", where, "study.source"),
            Table = RequiredScalar(map, "table", where, "study.table"),
            Preprocessing = OptionalScalar(map, "preprocessing", where, "study.preprocessing"),
            Assumptions = assumptions,
            Published = published,
        };
    }

    private static PublishedRow ParsePublishedRow(YamlNode node, IReadOnlyList<SweepAxis> axes, Where where)
    {
        var map = AsMapping(node, "study.published", "a row such as { lr: 0.1, test_acc: 85.1 }", where);
        var point = new Dictionary<string, string>();
        double? testAcc = null, startVal = null, bestVal = null, lowestLoss = null;
        int? bestEpoch = null, lowestEpoch = null;
        foreach (var (keyNode, valueNode) in map.Children)
        {
            string key = KeyText(keyNode, where);
            string metric = key.Replace('-', '_').ToLowerInvariant();
            if (PublishedMetricKeys.Contains(metric))
            {
                string v = ScalarText(valueNode, $"study.published.{key}", "a number", where);
                bool isEpoch = metric.EndsWith("_epoch", StringComparison.Ordinal);
                if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) || !double.IsFinite(d) || (isEpoch && (d < 1 || d != Math.Floor(d))))
                    throw where.Error(valueNode, $"study.published.{key} must be {(isEpoch ? "an epoch number >= 1" : "a number")} (got '{v}').");
                switch (metric)
                {
                    case "test_acc": testAcc = d; break;
                    case "start_val_acc": startVal = d; break;
                    case "best_val_acc": bestVal = d; break;
                    case "best_val_epoch": bestEpoch = (int)d; break;
                    case "lowest_train_loss": lowestLoss = d; break;
                    default: lowestEpoch = (int)d; break;
                }
                continue;
            }
            string setting = TrainSettings.Canonical(key);
            var axis = axes.FirstOrDefault(x => x.Setting == setting)
                ?? throw where.Error(keyNode, $"study.published: '{key}' is neither an axis of this sweep ({string.Join(", ", axes.Select(x => x.Setting))}) nor a published number ({string.Join(", ", PublishedMetricKeys)}).");
            string value = SettingValue(valueNode, $"study.published.{key}", where);
            string? match = axis.Values.FirstOrDefault(v => SweepGrid.SameValue(v, value))
                ?? throw where.Error(valueNode, $"study.published.{key}: '{value}' is not one of the axis values ({string.Join(", ", axis.Values)}).");
            point[setting] = match;
        }
        var missing = axes.Where(x => !point.ContainsKey(x.Setting)).Select(x => x.Setting).ToList();
        if (missing.Count > 0) throw where.Error(node, $"study.published row does not say its {string.Join(", ", missing)}: every row names a value of every axis.");
        return new PublishedRow
        {
            Point = point,
            TestAccuracy = testAcc,
            StartValAccuracy = startVal,
            BestValAccuracy = bestVal,
            BestValEpoch = bestEpoch,
            LowestTrainLoss = lowestLoss,
            LowestTrainLossEpoch = lowestEpoch,
        };
    }

    // ---- YAML helpers -------------------------------------------------------------------------

    private static YamlMappingNode LoadRoot(string text, string source)
    {
        var stream = new YamlStream();
        try
        {
            // Aliases (*name) are refused before the tree is built: a spec has no need for them, and
            // YamlDotNet's tree recurses without end on a cyclic one (an alias inside its own anchor's
            // node): a stack overflow, which no catch can stop.
            var events = new Parser(new StringReader(text));
            while (events.MoveNext())
                if (events.Current is AnchorAlias alias)
                    throw new FcnLabException($"{source}, line {alias.Start.Line}: YAML aliases (*{alias.Value}) are not supported in a sweep spec; write the value out where it is used.");
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new FcnLabException($"{source}: not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.InnerException?.Message ?? e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // YamlDotNet's scanner throws these on some malformed input instead of a YamlException.
            throw new FcnLabException($"{source}: not valid YAML: {e.Message}");
        }
        if (stream.Documents.Count == 0) throw new FcnLabException($"{source}: the sweep spec is empty; it needs at least name and axes.");
        if (stream.Documents.Count > 1) throw new FcnLabException($"{source}: holds {stream.Documents.Count} YAML documents; a sweep spec is one.");
        return stream.Documents[0].RootNode as YamlMappingNode
            ?? throw new FcnLabException($"{source}: a sweep spec is a mapping with name, base, axes, repeats (line {stream.Documents[0].RootNode.Start.Line}).");
    }

    private sealed class Where(string source)
    {
        public FcnLabException Error(YamlNode node, string message) =>
            new($"{source}, line {node.Start.Line}: {message}");
    }

    private static YamlNode? Get(YamlMappingNode map, string key)
    {
        foreach (var (k, v) in map.Children)
            if (k is YamlScalarNode s && s.Value == key) return v;
        return null;
    }

    private static void CheckKeys(YamlMappingNode map, string[] allowed, string where, Where at)
    {
        var seen = new HashSet<string>();
        foreach (var key in map.Children.Keys)
        {
            string k = KeyText(key, at);
            if (!allowed.Contains(k))
                throw at.Error(key, $"unknown key '{k}' in {where}. Allowed: {string.Join(", ", allowed)}.");
            if (!seen.Add(k)) throw at.Error(key, $"key '{k}' is given twice in {where}.");
        }
    }

    private static string KeyText(YamlNode key, Where at) =>
        key is YamlScalarNode { Value: { Length: > 0 } v } ? v : throw at.Error(key, "keys must be plain names.");

    private static YamlMappingNode AsMapping(YamlNode node, string key, string expected, Where at) =>
        node as YamlMappingNode ?? throw at.Error(node, $"{key} must be {expected}.");

    private static string ScalarText(YamlNode node, string key, string expected, Where at) =>
        node is YamlScalarNode s ? s.Value ?? "" : throw at.Error(node, $"{key} must be {expected}, not a {(node is YamlSequenceNode ? "list" : "mapping")}.");

    private static string RequiredScalar(YamlMappingNode map, string key, Where at, string? label = null)
    {
        var node = Get(map, key) ?? throw at.Error(map, $"{label ?? key} is missing.");
        string v = ScalarText(node, label ?? key, "text", at).Trim();
        return v.Length > 0 ? v : throw at.Error(node, $"{label ?? key} is empty.");
    }

    private static string? OptionalScalar(YamlMappingNode map, string key, Where at, string? label = null) =>
        Get(map, key) is { } node ? ScalarText(node, label ?? key, "text", at) : null;

    /// <summary>A setting's value as `fcnlab train` would take it: a scalar as written, a list joined with commas ([] is "none").</summary>
    private static string SettingValue(YamlNode node, string key, Where at)
    {
        switch (node)
        {
            case YamlScalarNode s:
                return (s.Value ?? "").Trim();
            case YamlSequenceNode seq:
                if (seq.Children.Count == 0) return "none";
                var parts = new List<string>();
                foreach (var item in seq.Children)
                {
                    if (item is not YamlScalarNode { Value: { } v })
                        throw at.Error(item, $"{key}: a list value holds only plain values, e.g. [1200, 2000, 800].");
                    parts.Add(v.Trim());
                }
                return string.Join(",", parts);
            default:
                throw at.Error(node, $"{key} must be a value or a list of values, not a mapping.");
        }
    }
}
