namespace FcnLab.Lab.Search;

/// <summary>
/// Decides at the end of an epoch whether a search trial stops early. A pruner is a pure function of
/// stored values: the trial's objective after each epoch so far and the other trials' (with their
/// states). It holds no state, so a resumed trial gets the same decisions from the same stored values,
/// and it never waits for other trials (asynchronous, as ASHA requires).
/// </summary>
public interface IPruner
{
    /// <summary>
    /// The decision for <paramref name="trial"/> at its last stored epoch (epoch
    /// <c>trial.EpochValues.Count</c>). <paramref name="history"/> is the search's trials as stored now; it
    /// may include the trial itself (matched by number and skipped). Call it once after every epoch.
    /// </summary>
    PruneDecision Decide(SearchTrial trial, IReadOnlyList<SearchTrial> history, SearchObjective objective);
}
