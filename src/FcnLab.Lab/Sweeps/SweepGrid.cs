using System.Globalization;
using FcnLab.Engine;
using FcnLab.Engine.Training;

namespace FcnLab.Lab.Sweeps;

/// <summary>Expands a spec into its trials: the product of the axes (first axis outermost, as the studies' tables run), times the repeats.</summary>
public static class SweepGrid
{
    /// <summary>The most trials a spec may make: a larger grid is refused with its size before it is expanded.</summary>
    public const long MaxTrials = 100_000;

    /// <summary>How many trials the spec makes (grid points x repeats), counted without expanding it.</summary>
    public static long Count(SweepSpec spec)
    {
        // Saturating: a grid of many large axes must not overflow into a small or negative count.
        long count = spec.Repeats;
        foreach (var axis in spec.Axes) count = count > long.MaxValue / Math.Max(axis.Values.Count, 1) ? long.MaxValue : count * axis.Values.Count;
        return count;
    }

    /// <summary>Every grid point, each the list of (axis setting, value) in axis order.</summary>
    /// <exception cref="FcnLabException">The spec makes more than <see cref="MaxTrials"/> trials.</exception>
    public static IReadOnlyList<IReadOnlyList<KeyValuePair<string, string>>> Points(SweepSpec spec)
    {
        if (spec.Search != null)
            throw new ArgumentException($"Sweep '{spec.Name}' is a search: its trials come from its sampler, not a grid.", nameof(spec));
        if (Count(spec) is var count and > MaxTrials)
            throw new FcnLabException(string.Create(CultureInfo.InvariantCulture,
                $"Sweep '{spec.Name}' makes {(count == long.MaxValue ? "more than 9.2e18" : count.ToString("N0", CultureInfo.InvariantCulture))} trials ({string.Join(" x ", spec.Axes.Select(a => $"{a.Values.Count} {a.Setting}"))} x {spec.Repeats} repeats); at most {MaxTrials:N0} are allowed. Split it into smaller sweeps, or use a search."));
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

    /// <summary>Refuses a `data:` directory of the spec's trials that does not exist: checked before anything runs, not trial by trial.</summary>
    public static void CheckData(SweepSpec spec, Dictionary<string, (TrainConfig Config, TrialDefinition Trial)> index)
    {
        foreach (string dir in index.Values.Select(t => t.Config.DataOptions.DataDir).OfType<string>().Distinct())
        {
            if (!Directory.Exists(dir))
                throw new FcnLabException($"Sweep '{spec.Name}': the data directory {dir} does not exist{(File.Exists(dir) ? " (it is a file)" : "")}. Fix `data:` in the spec, or put the data set there; nothing was run.");
        }
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
