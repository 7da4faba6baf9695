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
    private static readonly string[] TopKeys = ["name", "description", "base", "axes", "repeats", "study", "space", "method", "trials", "objective", "pruner"];
    private static readonly string[] SearchOnlyKeys = ["trials", "objective", "pruner"];
    private static readonly string[] PrunerKeys = ["kind", "min_epochs", "reduction_factor", "startup_trials", "warmup_epochs"];
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

        var common = new SweepSpec { Name = name, Description = description, Base = baseSettings, BaseSeed = baseSeed, SourceText = text };
        if (Get(root, "space") is { } spaceNode)
        {
            var searchSpec = common with { Search = ParseSearch(root, spaceNode, baseSettings, source, where) };
            CheckSearchPoints(searchSpec, source);
            return searchSpec;
        }
        if (OptionalScalar(root, "method", where) is { } gridMethod && gridMethod.Trim() != "grid")
            throw where.Error(Get(root, "method")!, $"method {gridMethod.Trim()} searches a space, but the spec has no 'space:' block: give each searched setting a distribution, e.g. space: {{ lr: {{log_uniform: [1e-5, 1e-1]}} }} (method grid walks axes).");
        foreach (string key in SearchOnlyKeys)
            if (Get(root, key) is { } node)
                throw where.Error(node, $"{key} belongs to a search, and this spec has no 'space:' block (a grid runs every point of its axes).");

        var axes = new List<SweepAxis>();
        var axesNode = Get(root, "axes") ?? throw where.Error(root, "the spec has no 'axes': give at least one setting with a list of values, e.g. axes: { lr: [0.1, 0.01] } (or, for a search, a 'space:' block: docs/search.md).");
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

        var spec = common with { Axes = axes, Repeats = repeats, Study = study };
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

    /// <summary>The search keys of a spec with a <c>space:</c> block; a spec with both axes and space is refused.</summary>
    private static SearchSpec ParseSearch(YamlMappingNode root, YamlNode spaceNode, List<KeyValuePair<string, string>> baseSettings, string source, Where where)
    {
        if (Get(root, "axes") is { } axesNode)
            throw where.Error(axesNode, "the spec has both axes (a grid) and space (a search); a sweep is one or the other. For a search, put fixed values in base and search a list of values as a choice, e.g. space: { optimizer: {choice: [sgd, adam]} }.");
        if (Get(root, "repeats") is { } repeatsNode)
            throw where.Error(repeatsNode, "repeats is for a grid: a search gives every trial its own seed (base seed + trial number). Remove repeats, or run the best trial again with other seeds.");
        if (Get(root, "study") is { } studyNode)
            throw where.Error(studyNode, "study (a published table's rows) needs axes; a search spec has none.");

        var space = Search.SearchSpaceParser.Parse(spaceNode, source);
        foreach (var (keyNode, _) in ((YamlMappingNode)spaceNode).Children)
        {
            string setting = TrainSettings.Canonical(KeyText(keyNode, where));
            if (baseSettings.Any(s => s.Key == setting))
                throw where.Error(keyNode, $"space.{setting} is also set in base: a setting is either fixed in base or searched in space.");
        }

        var method = SearchMethod.Tpe;
        if (Get(root, "method") is { } methodNode)
        {
            string m = ScalarText(methodNode, "method", "grid, random or tpe", where).Trim();
            method = m switch
            {
                "random" => SearchMethod.Random,
                "tpe" => SearchMethod.Tpe,
                "grid" => throw where.Error(methodNode, "method grid walks axes, but this spec has a space: search it with method random or tpe, or write the values as axes."),
                _ => throw where.Error(methodNode, $"method '{m}' is not known: use grid (axes), random or tpe (space)."),
            };
        }

        var trialsNode = Get(root, "trials")
            ?? throw where.Error(root, "a search needs trials: N, the number of trials in all (--max-trials still caps how many one invocation runs), e.g. trials: 50.");
        string t = ScalarText(trialsNode, "trials", "a whole number >= 1", where);
        if (!int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out int trials) || trials < 1 || trials > SweepGrid.MaxTrials)
            throw where.Error(trialsNode, $"trials must be a whole number from 1 to {SweepGrid.MaxTrials.ToString(CultureInfo.InvariantCulture)} (got '{t}').");

        var objective = Search.SearchObjective.ValAccuracy;
        if (Get(root, "objective") is { } objectiveNode)
        {
            try
            {
                objective = Search.SearchObjective.Parse(ScalarText(objectiveNode, "objective", "val_accuracy or val_loss", where));
            }
            catch (FcnLabException e)
            {
                throw where.Error(objectiveNode, e.Message);
            }
        }

        var pruner = Get(root, "pruner") is { } prunerNode ? ParsePruner(prunerNode, where) : PrunerSpec.None;
        return new SearchSpec { Space = space, Method = method, Trials = trials, Objective = objective, Pruner = pruner };
    }

    /// <summary><c>pruner: none | median | asha</c>, or a mapping with kind and the pruner's options.</summary>
    private static PrunerSpec ParsePruner(YamlNode node, Where where)
    {
        static PrunerKind Kind(string text, YamlNode at, Where where) => text.Trim() switch
        {
            "none" => PrunerKind.None,
            "median" => PrunerKind.Median,
            "asha" => PrunerKind.Asha,
            var k => throw where.Error(at, $"pruner '{k}' is not known: use none, median or asha."),
        };
        if (node is YamlScalarNode s) return new PrunerSpec { Kind = Kind(s.Value ?? "", node, where) };
        var map = AsMapping(node, "pruner", "none, median or asha, or a mapping such as {kind: asha, min_epochs: 1, reduction_factor: 4}", where);
        CheckKeys(map, PrunerKeys, "pruner", where);
        var kindNode = Get(map, "kind") ?? throw where.Error(map, "pruner needs its kind: none, median or asha, e.g. {kind: asha, reduction_factor: 4}.");
        var spec = new PrunerSpec { Kind = Kind(ScalarText(kindNode, "pruner.kind", "none, median or asha", where), kindNode, where) };
        int Whole(string key, int least)
        {
            var n = Get(map, key)!;
            string v = ScalarText(n, $"pruner.{key}", "a whole number", where).Trim();
            if (!int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int w) || w < least)
                throw where.Error(n, $"pruner.{key} must be a whole number >= {least.ToString(CultureInfo.InvariantCulture)} (got '{v}').");
            return w;
        }
        foreach (var (keyNode, _) in map.Children)
        {
            string key = KeyText(keyNode, where);
            bool fits = key == "kind" || (spec.Kind == PrunerKind.Asha ? key is "min_epochs" or "reduction_factor" : spec.Kind == PrunerKind.Median && key is "startup_trials" or "warmup_epochs");
            if (!fits)
                throw where.Error(keyNode, $"pruner.{key} is not an option of the {spec.Kind.ToString().ToLowerInvariant()} pruner (asha: min_epochs, reduction_factor; median: startup_trials, warmup_epochs).");
            spec = key switch
            {
                "min_epochs" => spec with { MinEpochs = Whole(key, 1) },
                "reduction_factor" => spec with { ReductionFactor = Whole(key, 2) },
                "startup_trials" => spec with { StartupTrials = Whole(key, 0) },
                "warmup_epochs" => spec with { WarmupEpochs = Whole(key, 0) },
                _ => spec,
            };
        }
        return spec;
    }

    /// <summary>
    /// Resolves the base config with each end of every searched range (and every choice), the others at their low end, so a
    /// bad value (lr: {choice: [abc]}) is refused before any training starts; and refuses a search without a validation split.
    /// </summary>
    private static void CheckSearchPoints(SweepSpec spec, string source)
    {
        var space = spec.Search!.Space;
        var low = space.Parameters.Select(p => p.Low).ToArray();
        var points = new List<double[]> { low };
        for (int i = 0; i < space.Count; i++)
        {
            var p = space.Parameters[i];
            foreach (double v in p.Kind == Search.DistributionKind.Choice ? Enumerable.Range(0, p.Choices.Count).Select(c => (double)c) : [p.Low, p.High])
            {
                var values = (double[])low.Clone();
                values[i] = v;
                points.Add(values);
            }
        }
        foreach (var values in points)
        {
            var point = space.CreatePoint(values);
            TrainConfig config;
            try
            {
                config = SweepGrid.Resolve(spec, point.ToSettings(), spec.BaseSeed);
                config.Validate();
            }
            catch (FcnLabException e)
            {
                throw new FcnLabException($"{source}: the search point {point} is not a valid training: {e.Message}");
            }
            if (Engine.Data.ValSplit.Parse(config.ValSplit).IsNone)
                throw new FcnLabException($"{source}: a search chooses on the validation set ({spec.Search.Objective.Metric}), and this spec trains without one (val_split {config.ValSplit}). Set base.val_split, e.g. val_split: 0.1 (the default) or val_split: 5000; the test set is never used to choose.");
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
