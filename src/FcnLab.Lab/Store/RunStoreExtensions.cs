using FcnLab.Engine;

namespace FcnLab.Lab.Store;

public static class RunStoreExtensions
{
    /// <summary>The named sweep, or an error that lists the sweeps the store does hold.</summary>
    public static SweepRecord RequireSweep(this IRunStore store, string name) =>
        store.GetSweep(name)
        ?? throw new FcnLabException($"No sweep '{name}' in {store.Location}. Sweeps there: {string.Join(", ", store.ListSweeps().Select(x => x.Name).DefaultIfEmpty("none"))}.");
}
