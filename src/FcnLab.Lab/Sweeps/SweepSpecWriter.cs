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

    /// <summary>A YAML double-quoted scalar.</summary>
    internal static string Q(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";
}
