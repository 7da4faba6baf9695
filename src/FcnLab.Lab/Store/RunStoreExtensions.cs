using FcnLab.Engine;

namespace FcnLab.Lab.Store;

public static class RunStoreExtensions
{
    /// <summary>The stored trials of <paramref name="sweep"/> that belong to its current spec (<paramref name="index"/>: by trial id); a changed spec's old trials stay in the store but not here.</summary>
    public static List<TrialRecord> CurrentTrials<T>(this IRunStore store, string sweep, IReadOnlyDictionary<string, T> index) =>
        store.ListTrials(sweep).Where(t => index.ContainsKey(t.TrialId)).ToList();

    /// <summary>The named sweep, or an error that lists the sweeps the store does hold.</summary>
    public static SweepRecord RequireSweep(this IRunStore store, string name) =>
        store.GetSweep(name)
        ?? throw new FcnLabException($"No sweep '{name}' in {store.Location}. Sweeps there: {string.Join(", ", store.ListSweeps().Select(x => x.Name).DefaultIfEmpty("none"))}.");
}
