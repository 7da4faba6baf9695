namespace FcnLab.Lab.Store;

/// <summary>What <see cref="IRunStore.ListRuns"/> returns: the page's runs and how many runs pass the filter in all.</summary>
public sealed record RunListPage(IReadOnlyList<TrialRecord> Runs, int Total);
