namespace FcnLab.Lab.Store;

/// <summary>The columns <see cref="IRunStore.ListRuns"/> sorts by.</summary>
public enum RunListSort
{
    RunId,
    Sweep,
    TrialId,
    Status,
    Settings,
    TestAccuracy,
    BestValAccuracy,
    EpochsRun,
    SecondsPerEpoch,
    StartedAt,
}
