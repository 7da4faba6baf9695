using FcnLab.Engine.Training;
using FcnLab.Lab.Store;

namespace FcnLab.Lab.Reports;

/// <summary>
/// Where a sweep stands (`fcnlab status`): counts by state, the running trials with their holders, the
/// failed ones, and the pace so far. Throughput is final trials per hour from the first start to the last
/// finish, so it counts every worker that took part; the ETA assumes that pace goes on.
/// </summary>
public sealed record SweepStatus(
    string Sweep,
    SweepTally Tally,
    IReadOnlyList<TrialRecord> Running,
    IReadOnlyList<TrialRecord> Failed,
    double? TrialsPerHour,
    TimeSpan? Eta)
{
    /// <param name="searchTotal">A search's total trials (its spec's <c>trials</c>): those not suggested yet count as pending.</param>
    public static SweepStatus Of(string sweep, IReadOnlyList<TrialRecord> trials, int? searchTotal = null)
    {
        var tally = searchTotal is { } total ? SweepTally.OfSearch(trials, total) : SweepTally.Of(trials);
        var finished = trials.Where(t => t.Status.IsFinal() && t.FinishedAt != null).ToList();
        var started = trials.Where(t => t.StartedAt != null).Select(t => t.StartedAt!.Value).ToList();
        double? perHour = null;
        TimeSpan? eta = null;
        if (finished.Count > 0 && started.Count > 0)
        {
            var span = finished.Max(t => t.FinishedAt!.Value) - started.Min();
            if (span > TimeSpan.Zero)
            {
                perHour = finished.Count / span.TotalHours;
                int left = tally.NotYetRun;
                eta = TimeSpan.FromHours(left / perHour.Value);
            }
        }
        return new SweepStatus(sweep, tally,
            trials.Where(t => t.Status == RunStatus.Running).ToList(),
            trials.Where(t => t.Status == RunStatus.Failed).ToList(),
            perHour, eta);
    }
}
