using System.Globalization;
using System.Text;
using FcnLab.Lab.Search;
using FcnLab.Lab.Sweeps;

namespace FcnLab.Lab.Reports;

/// <summary>
/// A search's best trial as a sweep spec that trains it again from scratch over several seeds: the
/// search's fixed settings as <c>base</c>, the best point's settings as one-value axes, and
/// <c>repeats</c> (base seed, base seed + 1, ...). `fcnlab sweep` reads it back (a test holds it).
/// </summary>
public static class SearchRecipe
{
    public static string ToSpecYaml(string name, string description, int seed,
        IReadOnlyList<KeyValuePair<string, string>> baseSettings, SearchPoint best, int repeats)
    {
        var point = best.ToSettings();
        var sb = new StringBuilder();
        sb.Append("name: ").Append(SweepSpecWriter.Q(name)).Append('\n');
        sb.Append("description: ").Append(SweepSpecWriter.Q(description)).Append('\n');
        sb.Append("base:\n");
        sb.Append("  seed: ").Append(seed.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var (k, v) in baseSettings)
            if (k != "seed" && !point.Any(p => p.Key == k)) sb.Append("  ").Append(k).Append(": ").Append(SweepSpecWriter.Q(v)).Append('\n');
        sb.Append("axes:\n");
        foreach (var (k, v) in point) sb.Append("  ").Append(k).Append(": [").Append(SweepSpecWriter.Q(v)).Append("]\n");
        sb.Append("repeats: ").Append(repeats.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return sb.ToString();
    }
}
