namespace FcnLab.Lab.Search;

/// <summary>
/// Chooses the next point of a search from the trials so far. A sampler keeps no state: the suggestion
/// for trial <c>trialNumber</c> is a pure function of the space, the history, the direction, the study
/// seed and the trial number (its random numbers come from a generator derived from the study seed and
/// the trial number), so a sequential search stopped at any moment and resumed from its stored trials
/// suggests exactly what it would have suggested had it never stopped.
/// </summary>
public interface ISampler
{
    /// <summary>
    /// The point for trial <paramref name="trialNumber"/>. <paramref name="history"/> holds the search's other
    /// trials in any order (by number is usual), each with its point in <paramref name="space"/>; failed
    /// trials and, unless the sampler uses them, running ones are ignored.
    /// </summary>
    SearchPoint Suggest(SearchSpace space, IReadOnlyList<SearchTrial> history, ObjectiveDirection direction, long studySeed, int trialNumber);
}
