using FcnLab.Engine;

namespace FcnLab.Lab.Search;

/// <summary>
/// Asynchronous successive halving (ASHA: Li et al., "A System for Massively Parallel Hyperparameter
/// Tuning", MLSys 2020) as Optuna 3.1's <c>SuccessiveHalvingPruner</c> decides it, epochs as steps.
/// Rung k sits at epoch min_epochs * reduction_factor^(min_early_stopping_rate + k) (defaults: epochs 1,
/// 4, 16, 64, ...). When a trial finishes a rung's epoch, its value there is compared with the values
/// every other trial had at that epoch (any state: each of them reached the rung) plus its own: with n
/// values, it continues if it is among the best floor(n / reduction_factor), ties included, and is
/// pruned otherwise. With fewer than reduction_factor values it must be the best so far (Optuna's rule:
/// it cannot wait for more trials to arrive). Between rungs nothing is pruned; a NaN value at a rung is
/// pruned, and other trials' NaN values at the rung do not count (Optuna records no rung for them).
/// </summary>
public sealed class AshaPruner : IPruner
{
    /// <param name="minEpochs">Epochs of the first rung (Optuna: min_resource; the spec's min_epochs, default 1).</param>
    /// <param name="reductionFactor">Keep the top 1/reductionFactor at every rung (Optuna default 4).</param>
    /// <param name="minEarlyStoppingRate">Skips the first rungs: rung 0 at min_epochs * reduction_factor^rate (default 0).</param>
    public AshaPruner(int minEpochs = 1, int reductionFactor = 4, int minEarlyStoppingRate = 0)
    {
        if (minEpochs < 1) throw new FcnLabException($"asha pruner: min_epochs must be >= 1 (got {minEpochs}).");
        if (reductionFactor < 2) throw new FcnLabException($"asha pruner: reduction_factor must be >= 2 (got {reductionFactor}).");
        if (minEarlyStoppingRate < 0) throw new FcnLabException($"asha pruner: min_early_stopping_rate must be >= 0 (got {minEarlyStoppingRate}).");
        MinEpochs = minEpochs;
        ReductionFactor = reductionFactor;
        MinEarlyStoppingRate = minEarlyStoppingRate;
    }

    public int MinEpochs { get; }

    public int ReductionFactor { get; }

    public int MinEarlyStoppingRate { get; }

    /// <summary>The rung epochs up to <paramref name="maxEpoch"/>, in order.</summary>
    public IReadOnlyList<int> Rungs(int maxEpoch)
    {
        var rungs = new List<int>();
        long r = MinEpochs;
        for (int i = 0; i < MinEarlyStoppingRate && r <= maxEpoch; i++) r *= ReductionFactor;
        for (; r <= maxEpoch; r *= ReductionFactor) rungs.Add((int)r);
        return rungs;
    }

    public PruneDecision Decide(SearchTrial trial, IReadOnlyList<SearchTrial> history, SearchObjective objective)
    {
        int e = trial.EpochValues.Count;
        if (e == 0) return PruneDecision.Continue(0, "no epoch has finished yet");
        var rungs = Rungs(e);
        if (rungs.Count == 0 || rungs[^1] != e)
        {
            var next = Rungs(int.MaxValue / 2).FirstOrDefault(r => r > e);
            return PruneDecision.Continue(e, $"epoch {e} is not a rung (next rung: epoch {next})");
        }

        double value = trial.EpochValues[e - 1];
        if (double.IsNaN(value)) return PruneDecision.Pruned(e, $"pruned at epoch {e}: {objective.Metric} is NaN at a rung");

        var competing = history
            .Where(t => t.Number != trial.Number && t.EpochValues.Count >= e && !double.IsNaN(t.EpochValues[e - 1]))
            .Select(t => t.EpochValues[e - 1])
            .Append(value)
            .ToList();
        competing.Sort();
        int n = competing.Count;
        int kept = Math.Max(n / ReductionFactor, 1); // fewer than reduction_factor values: only the best continues
        bool minimize = objective.Direction == ObjectiveDirection.Minimize;
        double threshold = minimize ? competing[kept - 1] : competing[n - kept];
        bool promoted = minimize ? value <= threshold : value >= threshold;

        string m = objective.Metric;
        string rung = $"({MedianPruner.Num(threshold)}: the best {kept} of {n} trials at epoch {e})";
        return promoted
            ? PruneDecision.Continue(e, $"promoted at epoch {e}: {m} {MedianPruner.Num(value)} within the rung's top 1/{ReductionFactor} {rung}")
            : PruneDecision.Pruned(e, $"pruned at epoch {e}: {m} {MedianPruner.Num(value)} {(minimize ? "above" : "below")} the rung's top 1/{ReductionFactor} {rung}");
    }
}
