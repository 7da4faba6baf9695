using System.Globalization;
using System.Text;

namespace FcnLab.Lab.Sweeps;

/// <summary>Writes a spec back as YAML that <see cref="SweepSpecParser"/> reads to an equal spec (values double-quoted, so nothing is re-typed).</summary>
public static class SweepSpecWriter
{
    public static string ToYaml(SweepSpec spec)
    {
        var sb = new StringBuilder();
        sb.Append("name: ").Append(Q(spec.Name)).Append('\n');
        if (spec.Description != null) sb.Append("description: ").Append(Q(spec.Description)).Append('\n');
        sb.Append("base:\n");
        sb.Append("  seed: ").Append(spec.BaseSeed.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var (k, v) in spec.Base) sb.Append("  ").Append(k).Append(": ").Append(Q(v)).Append('\n');
        if (spec.Search is { } search)
        {
            WriteSearch(sb, search);
            return sb.ToString();
        }
        sb.Append("axes:\n");
        foreach (var axis in spec.Axes) sb.Append("  ").Append(axis.Setting).Append(": [").Append(string.Join(", ", axis.Values.Select(Q))).Append("]\n");
        sb.Append("repeats: ").Append(spec.Repeats.ToString(CultureInfo.InvariantCulture)).Append('\n');
        if (spec.Study is { } study)
        {
            sb.Append("study:\n");
            sb.Append("  source: ").Append(Q(study.Source)).Append('\n');
            sb.Append("  table: ").Append(Q(study.Table)).Append('\n');
            if (study.Preprocessing != null) sb.Append("  preprocessing: ").Append(Q(study.Preprocessing)).Append('\n');
            sb.Append("  assumptions: [").Append(string.Join(", ", study.Assumptions.Select(Q))).Append("]\n");
            sb.Append(study.Published.Count == 0 ? "  published: []\n" : "  published:\n");
            foreach (var row in study.Published)
            {
                var fields = spec.Axes.Where(a => row.Point.ContainsKey(a.Setting)).Select(a => $"{a.Setting}: {Q(row.Point[a.Setting])}").ToList();
                foreach (var (key, value) in PublishedRow.Metrics)
                    if (value(row) is { } v) fields.Add($"{key}: {v.ToString("R", CultureInfo.InvariantCulture)}");
                sb.Append("    - { ").Append(string.Join(", ", fields)).Append(" }\n");
            }
        }
        return sb.ToString();
    }

    private static void WriteSearch(StringBuilder sb, SearchSpec search)
    {
        sb.Append("method: ").Append(search.Method == SearchMethod.Random ? "random" : "tpe").Append('\n');
        sb.Append("trials: ").Append(search.Trials.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("objective: ").Append(search.Objective.Metric).Append('\n');
        var p = search.Pruner;
        sb.Append(p.Kind switch
        {
            PrunerKind.Asha => string.Create(CultureInfo.InvariantCulture, $"pruner: {{kind: asha, min_epochs: {p.MinEpochs}, reduction_factor: {p.ReductionFactor}}}\n"),
            PrunerKind.Median => string.Create(CultureInfo.InvariantCulture, $"pruner: {{kind: median, startup_trials: {p.StartupTrials}, warmup_epochs: {p.WarmupEpochs}}}\n"),
            _ => "pruner: none\n",
        });
        sb.Append("space:\n");
        var parameters = search.Space.Parameters;
        foreach (var parameter in parameters)
        {
            if (parameter.Name == Search.SearchSpace.HiddenWidth) continue; // written with hidden.layers
            if (parameter.Name == Search.SearchSpace.HiddenLayers)
            {
                var width = parameters.First(x => x.Name == Search.SearchSpace.HiddenWidth);
                sb.Append("  hidden: {layers: ").Append(Distribution(parameter)).Append(", width: ").Append(Distribution(width)).Append("}\n");
                continue;
            }
            sb.Append("  ").Append(parameter.Name).Append(": ").Append(Distribution(parameter)).Append('\n');
        }
    }

    /// <summary>A parameter's distribution as the space block writes it: {log_uniform: ["1e-05", "0.1"]} (numbers in round-trip form).</summary>
    private static string Distribution(Search.SearchParameter p)
    {
        string Num(double v) => Q(v.ToString("R", CultureInfo.InvariantCulture));
        return p.Kind switch
        {
            Search.DistributionKind.Choice => "{choice: [" + string.Join(", ", p.Choices.Select(Q)) + "]}",
            Search.DistributionKind.Uniform => $"{{uniform: [{Num(p.Low)}, {Num(p.High)}]}}",
            Search.DistributionKind.LogUniform => $"{{log_uniform: [{Num(p.Low)}, {Num(p.High)}]}}",
            Search.DistributionKind.Int => $"{{int: [{Num(p.Low)}, {Num(p.High)}]}}",
            _ => $"{{int_log: [{Num(p.Low)}, {Num(p.High)}]}}",
        };
    }

    /// <summary>A YAML double-quoted scalar.</summary>
    internal static string Q(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";
}
