namespace FcnLab.Lab.Search;

/// <summary>
/// The best value so far against trial number and against compute spent (epochs), as Optuna's
/// optimization-history plot draws it. Only completed trials can be best (a pruned trial's value is of
/// a shorter training); every trial's epochs count as compute, pruned ones included. Trials are taken in
/// number order, the order they were suggested in, which is also the order a sequential search ran them.
/// </summary>
public static class SearchProgress
{
    public static IReadOnlyList<SearchProgressPoint> BestSoFar(IEnumerable<SearchTrial> trials, SearchObjective objective)
    {
        var points = new List<SearchProgressPoint>();
        long epochs = 0;
        double best = double.NaN;
        foreach (var trial in trials.OrderBy(t => t.Number))
        {
            epochs += trial.EpochValues.Count;
            if (trial.State == SearchTrialState.Completed && trial.Value is double v && double.IsFinite(v)
                && (double.IsNaN(best) || objective.IsBetter(v, best)))
                best = v;
            points.Add(new SearchProgressPoint(trial.Number, epochs, best));
        }
        return points;
    }

    /// <summary>The completed trial with the best value (the lowest number among equals); null when none completed with a finite value.</summary>
    public static SearchTrial? Best(IEnumerable<SearchTrial> trials, SearchObjective objective)
    {
        SearchTrial? best = null;
        foreach (var trial in trials.OrderBy(t => t.Number))
            if (trial.State == SearchTrialState.Completed && trial.Value is double v && double.IsFinite(v)
                && (best == null || objective.IsBetter(v, best.Value!.Value)))
                best = trial;
        return best;
    }
}
