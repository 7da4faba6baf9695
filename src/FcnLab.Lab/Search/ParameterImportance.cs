namespace FcnLab.Lab.Search;

/// <summary>
/// Which settings mattered, by one-way analysis of variance per parameter (omega squared): the completed
/// trials are grouped by the parameter's value (a choice by its option; a number into equal-count bins of
/// its sorted values, about sqrt(n) of them, at most 10), and the variance of the group means, weighted by
/// group size, is taken as a share of the objective's total variance, less what that many groups explain
/// by chance (eta squared would credit a parameter that does nothing with about (groups - 1) / (n - 1)).
/// <para>
/// Simpler than Optuna's default (fANOVA on a random forest), with limits stated in the report: each
/// parameter is looked at alone, so interactions are not credited to anyone, and when the sampler
/// concentrated trials in one region (TPE does, by design) parameters that moved together there share
/// credit they may not each deserve. Random sampling gives the fairest reading. Needs at least 4
/// completed trials with differing values.
/// </para>
/// </summary>
public static class ParameterImportance
{
    public const string Method =
        "one-way ANOVA per parameter (omega squared: the share of the objective's variance over completed trials explained by the parameter's value groups beyond chance, "
        + "numbers in equal-count bins), normalized to sum to 1; each parameter alone, so interactions are credited to none, "
        + "and parameters a sampler moved together share credit";

    public const int MinTrials = 4;

    /// <summary>The parameters by importance, most important first (ties in space order); empty when fewer than <see cref="MinTrials"/> completed trials or no variance.</summary>
    public static IReadOnlyList<ParameterImportanceEntry> Compute(SearchSpace space, IReadOnlyList<(SearchPoint Point, double Value)> completed)
    {
        var trials = completed.Where(t => double.IsFinite(t.Value)).ToList();
        if (trials.Count < MinTrials) return [];
        double mean = trials.Average(t => t.Value);
        double total = trials.Sum(t => (t.Value - mean) * (t.Value - mean));
        if (!(total > 0)) return [];

        var entries = new List<ParameterImportanceEntry>();
        for (int p = 0; p < space.Parameters.Count; p++)
        {
            var groups = Groups(space.Parameters[p], trials.Select(t => (t.Point.Values[p], t.Value)).ToList());
            double between = groups.Sum(g => g.Count * (g.Average() - mean) * (g.Average() - mean));
            int k = groups.Count, n = trials.Count;
            double withinMeanSquare = n > k ? (total - between) / (n - k) : 0;
            double omegaSquared = (between - (k - 1) * withinMeanSquare) / (total + withinMeanSquare);
            entries.Add(new ParameterImportanceEntry(space.Parameters[p].Name, 0, Math.Clamp(omegaSquared, 0, 1), groups.Count));
        }
        double sum = entries.Sum(e => e.OmegaSquared);
        return [.. entries.Select(e => e with { Share = sum > 0 ? e.OmegaSquared / sum : 0 })
            .Select((e, i) => (e, i)).OrderByDescending(x => x.e.Share).ThenBy(x => x.i).Select(x => x.e)];
    }

    /// <summary>The objective values grouped by the parameter's value: one group per option, or equal-count bins of the sorted numbers (equal numbers never split).</summary>
    internal static List<List<double>> Groups(SearchParameter parameter, List<(double X, double Value)> values)
    {
        if (parameter.Kind == DistributionKind.Choice)
            return [.. values.GroupBy(v => v.X).OrderBy(g => g.Key).Select(g => g.Select(v => v.Value).ToList())];

        var sorted = values.OrderBy(v => v.X).ToList();
        int bins = Math.Clamp((int)Math.Round(Math.Sqrt(sorted.Count)), 2, 10);
        var groups = new List<List<double>>();
        var current = new List<double>();
        bool cutDue = false; // a bin boundary was passed inside a run of equal values: cut where the run ends
        for (int i = 0; i < sorted.Count; i++)
        {
            current.Add(sorted[i].Value);
            cutDue |= (long)(i + 1) * bins / sorted.Count > (long)i * bins / sorted.Count;
            bool nextEqual = i + 1 < sorted.Count && sorted[i + 1].X == sorted[i].X;
            if (cutDue && !nextEqual || i + 1 == sorted.Count)
            {
                groups.Add(current);
                current = [];
                cutDue = false;
            }
        }
        return groups;
    }
}
