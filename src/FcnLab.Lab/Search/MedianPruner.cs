using System.Globalization;
using FcnLab.Engine;

namespace FcnLab.Lab.Search;

/// <summary>
/// Optuna 3.1's <c>MedianPruner</c> (its <c>PercentilePruner</c> at the 50th percentile), epochs as steps:
/// at epoch e, prune the trial if its best objective value so far (over epochs 1..e) is worse than the
/// median of the values that the <em>completed</em> trials had at epoch e (pruned and running trials do
/// not count; a tie is not worse). Nothing is pruned while fewer than <see cref="StartupTrials"/> trials
/// have completed, during the first <see cref="WarmupEpochs"/> epochs, or when no completed trial
/// reached epoch e; after the warm-up a check happens every <see cref="IntervalEpochs"/> epochs. NaN
/// values are skipped in the median; a trial whose values are all NaN is pruned.
/// The median is the usual one (the mean of the middle two of an even count; numpy's percentile).
/// </summary>
public sealed class MedianPruner : IPruner
{
    /// <param name="startupTrials">Completed trials needed before anything is pruned (Optuna: n_startup_trials = 5).</param>
    /// <param name="warmupEpochs">Epochs at the start of every trial that are never pruned (0: from epoch 1;
    /// Optuna's n_warmup_steps = warmupEpochs + 1 when its steps are the epoch numbers 1, 2, ..., where 0
    /// and 1 mean the same).</param>
    /// <param name="intervalEpochs">Epochs between checks after the warm-up (Optuna: interval_steps = 1).</param>
    public MedianPruner(int startupTrials = 5, int warmupEpochs = 0, int intervalEpochs = 1)
    {
        if (startupTrials < 0) throw new FcnLabException($"median pruner: startup trials must be >= 0 (got {startupTrials}).");
        if (warmupEpochs < 0) throw new FcnLabException($"median pruner: warm-up epochs must be >= 0 (got {warmupEpochs}).");
        if (intervalEpochs < 1) throw new FcnLabException($"median pruner: the interval must be at least 1 epoch (got {intervalEpochs}).");
        StartupTrials = startupTrials;
        WarmupEpochs = warmupEpochs;
        IntervalEpochs = intervalEpochs;
    }

    public int StartupTrials { get; }

    public int WarmupEpochs { get; }

    public int IntervalEpochs { get; }

    public PruneDecision Decide(SearchTrial trial, IReadOnlyList<SearchTrial> history, SearchObjective objective)
    {
        int e = trial.EpochValues.Count;
        if (e == 0) return PruneDecision.Continue(0, "no epoch has finished yet");
        var completed = history.Where(t => t.Number != trial.Number && t.State == SearchTrialState.Completed).ToList();
        if (completed.Count == 0 || completed.Count < StartupTrials)
            return PruneDecision.Continue(e, $"epoch {e}: startup, {completed.Count} of {StartupTrials} trials completed");
        if (e <= WarmupEpochs)
            return PruneDecision.Continue(e, $"epoch {e}: warm-up, nothing is pruned in the first {WarmupEpochs} epochs");
        if ((e - WarmupEpochs - 1) % IntervalEpochs != 0)
            return PruneDecision.Continue(e, $"epoch {e}: no check (every {IntervalEpochs} epochs after the warm-up)");

        bool minimize = objective.Direction == ObjectiveDirection.Minimize;
        double best = double.NaN;
        foreach (double v in trial.EpochValues)
            if (!double.IsNaN(v) && (double.IsNaN(best) || objective.IsBetter(v, best))) best = v;
        if (double.IsNaN(best))
            return PruneDecision.Pruned(e, $"pruned at epoch {e}: {objective.Metric} is NaN at every epoch so far");

        var atEpoch = completed.Where(t => t.EpochValues.Count >= e).Select(t => t.EpochValues[e - 1]).ToList();
        if (atEpoch.Count == 0)
            return PruneDecision.Continue(e, $"epoch {e}: no completed trial reached epoch {e}");
        double median = Median(atEpoch.Where(v => !double.IsNaN(v)).ToList());
        if (double.IsNaN(median))
            return PruneDecision.Continue(e, $"epoch {e}: the completed trials' {objective.Metric} at epoch {e} is NaN");

        bool worse = minimize ? best > median : best < median;
        string comparison = $"best {objective.Metric} so far {Num(best)} {(worse ? "is worse than" : "is not worse than")} the median {Num(median)} of {atEpoch.Count} completed trials at epoch {e}";
        return worse ? PruneDecision.Pruned(e, $"pruned at epoch {e}: {comparison}") : PruneDecision.Continue(e, $"epoch {e}: {comparison}");
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0) return double.NaN;
        values.Sort();
        int n = values.Count;
        return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
    }

    internal static string Num(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
