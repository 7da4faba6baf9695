namespace FcnLab.Engine.Training;

/// <summary>
/// Where a run stands, as DESIGN.md names the statuses. On disk (summary.json, checkpoints) and in the
/// run store they are written as <see cref="RunStatusText.ToText"/> gives them ("early-stopped", ...).
/// </summary>
public enum RunStatus
{
    /// <summary>Recorded in the store, not yet claimed by any process.</summary>
    Pending,
    /// <summary>Training (or, in a checkpoint, saved between epochs or interrupted: it can go on).</summary>
    Running,
    Completed,
    /// <summary>Stopped by --patience: no validation-loss improvement.</summary>
    EarlyStopped,
    /// <summary>The loss became NaN or infinite.</summary>
    Diverged,
    /// <summary>An error stopped it; the store keeps the message.</summary>
    Failed,
    /// <summary>Stopped by a search's pruner.</summary>
    Pruned,
    /// <summary>Stopped by Ctrl-C or a signal after its checkpoint was saved: it can be resumed.</summary>
    Interrupted,
}
