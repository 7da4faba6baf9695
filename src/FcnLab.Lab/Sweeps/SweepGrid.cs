using System.Globalization;
using FcnLab.Engine;
using FcnLab.Engine.Training;

namespace FcnLab.Lab.Sweeps;

/// <summary>Expands a spec into its trials: the product of the axes (first axis outermost, as the studies' tables run), times the repeats.</summary>
public static class SweepGrid
{
    /// <summary>Every grid point, each the list of (axis setting, value) in axis order.</summary>
    public static IReadOnlyList<IReadOnlyList<KeyValuePair<string, string>>> Points(SweepSpec spec)
    {
        var points = new List<IReadOnlyList<KeyValuePair<string, string>>> { Array.Empty<KeyValuePair<string, string>>() };
        foreach (var axis in spec.Axes)
        {
            var next = new List<IReadOnlyList<KeyValuePair<string, string>>>(points.Count * axis.Values.Count);
            foreach (var p in points)
                foreach (var v in axis.Values)
                    next.Add([.. p, new(axis.Setting, v)]);
            points = next;
        }
        return points;
    }

    /// <summary>The training config of one grid point and seed: the base's preset, then base settings, then the point, then the seed.</summary>
    public static TrainConfig Resolve(SweepSpec spec, IReadOnlyList<KeyValuePair<string, string>> point, long seed)
    {
        string? preset = spec.Base.FirstOrDefault(s => s.Key == "preset").Value;
        var settings = spec.Base.Where(s => s.Key != "preset").Concat(point)
            .Append(new("seed", seed.ToString(CultureInfo.InvariantCulture)));
        return Presets.Resolve(new TrainConfig(), preset, settings);
    }

    /// <summary>
    /// All trials of the spec, grid point by grid point, repeats innermost. Run directories are
    /// <paramref name="runsRoot"/>/&lt;sweep&gt;/&lt;trial id&gt;.
    /// </summary>
    public static IReadOnlyList<(TrialDefinition Trial, TrainConfig Config)> Expand(SweepSpec spec, string runsRoot)
    {
        var trials = new List<(TrialDefinition, TrainConfig)>();
        foreach (var point in Points(spec))
        {
            for (int r = 0; r < spec.Repeats; r++)
            {
                long seed = spec.BaseSeed + r;
                var config = Resolve(spec, point, seed);
                string json = TrialIdentity.CanonicalJson(config);
                string id = TrialIdentity.Hash(json);
                trials.Add((new TrialDefinition
                {
                    TrialId = id,
                    Sweep = spec.Name,
                    Point = point,
                    Repeat = r,
                    Seed = seed,
                    ConfigJson = json,
                    RunDir = Path.Combine(runsRoot, spec.Name, id),
                }, config));
            }
        }
        return trials;
    }

    /// <summary>The spec's trials by trial id, each with its training config; refuses two grid points that make the same training.</summary>
    public static Dictionary<string, (TrainConfig Config, TrialDefinition Trial)> Index(SweepSpec spec, string runsRoot)
    {
        var index = new Dictionary<string, (TrainConfig, TrialDefinition)>();
        foreach (var (trial, config) in Expand(spec, runsRoot))
        {
            if (!index.TryAdd(trial.TrialId, (config, trial)))
                throw new FcnLabException($"Sweep '{spec.Name}' has grid points that resolve to the same training (same settings and seed); remove the duplicate axis values.");
        }
        return index;
    }

    /// <summary>True when two values written for one setting mean the same: equal text (ignoring case), or equal numbers element by element ("0.001" and "1e-3").</summary>
    public static bool SameValue(string a, string b)
    {
        if (string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase)) return true;
        var pa = a.Split(',', StringSplitOptions.TrimEntries);
        var pb = b.Split(',', StringSplitOptions.TrimEntries);
        if (pa.Length != pb.Length) return false;
        for (int i = 0; i < pa.Length; i++)
        {
            if (string.Equals(pa[i], pb[i], StringComparison.OrdinalIgnoreCase)) continue;
            if (!double.TryParse(pa[i], NumberStyles.Float, CultureInfo.InvariantCulture, out double x)
                || !double.TryParse(pb[i], NumberStyles.Float, CultureInfo.InvariantCulture, out double y)
                || x != y)
                return false;
        }
        return true;
    }
}
