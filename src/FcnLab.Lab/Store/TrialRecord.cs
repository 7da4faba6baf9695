using FcnLab.Engine.Training;
using FcnLab.Lab.Sweeps;

namespace FcnLab.Lab.Store;

/// <summary>A trial as stored: its definition, where it stands, and (once final) its summary.</summary>
public sealed record TrialRecord
{
    /// <summary>The store's own number for this run (what `fcnlab show RUN` accepts, besides the trial id).</summary>
    public required long RunId { get; init; }
    public required TrialDefinition Definition { get; init; }
    public required RunStatus Status { get; init; }
    /// <summary>"host:pid" of the process holding a running trial.</summary>
    public string? Owner { get; init; }
    public DateTime? Heartbeat { get; init; }
    public int Attempts { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? StartedAt { get; init; }
    public DateTime? FinishedAt { get; init; }
    public string? Error { get; init; }
    public RunSummary? Summary { get; init; }

    public string TrialId => Definition.TrialId;
    public string? Sweep => Definition.Sweep;
}
