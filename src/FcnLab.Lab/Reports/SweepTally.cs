using FcnLab.Engine.Training;
using FcnLab.Lab.Store;

namespace FcnLab.Lab.Reports;

/// <summary>How many of a sweep's trials stand where (those of its current spec).</summary>
public sealed record SweepTally(int Total, int Completed, int EarlyStopped, int Diverged, int Failed, int Pending, int Running, int Interrupted, int Pruned = 0)
{
    /// <summary>Every trial is final: none pending, running or interrupted (an interrupted trial is taken up again).</summary>
    public bool AllFinal => Pending == 0 && Running == 0 && Interrupted == 0;

    /// <summary>The trials not final yet: pending, running and interrupted.</summary>
    public int NotYetRun => Pending + Running + Interrupted;

    public static SweepTally Of(IReadOnlyList<TrialRecord> trials) => new(
        trials.Count,
        trials.Count(t => t.Status == RunStatus.Completed),
        trials.Count(t => t.Status == RunStatus.EarlyStopped),
        trials.Count(t => t.Status == RunStatus.Diverged),
        trials.Count(t => t.Status == RunStatus.Failed),
        trials.Count(t => t.Status == RunStatus.Pending),
        trials.Count(t => t.Status == RunStatus.Running),
        trials.Count(t => t.Status == RunStatus.Interrupted),
        trials.Count(t => t.Status == RunStatus.Pruned));

    /// <summary>A search's tally: its <paramref name="total"/> is the spec's, and the trials not suggested yet count as pending.</summary>
    public static SweepTally OfSearch(IReadOnlyList<TrialRecord> trials, int total)
    {
        var tally = Of(trials);
        return tally with { Total = Math.Max(total, tally.Total), Pending = tally.Pending + Math.Max(0, total - tally.Total) };
    }
}
