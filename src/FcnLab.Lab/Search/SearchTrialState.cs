namespace FcnLab.Lab.Search;

/// <summary>
/// A search trial's state as the samplers and pruners see it. The run store's statuses map onto it:
/// completed and early-stopped are <see cref="Completed"/>; pruned is <see cref="Pruned"/>; pending,
/// running and interrupted (a trial that will be resumed) are <see cref="Running"/>; failed and diverged
/// are <see cref="Failed"/> (Optuna fails a trial whose objective is NaN).
/// </summary>
public enum SearchTrialState
{
    /// <summary>Started but not final: only the constant liar looks at its parameters.</summary>
    Running,
    /// <summary>Trained to its end: its objective value counts.</summary>
    Completed,
    /// <summary>Stopped by a pruner: its last epoch's objective counts, ranked behind every completed trial.</summary>
    Pruned,
    /// <summary>Ended with an error or diverged: the samplers ignore it.</summary>
    Failed,
}
