using FcnLab.Engine.Training;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;

namespace FcnLab.Lab.Reports;

/// <summary>
/// The trials of one sweep as a report sees them: the swept settings (axis order) and, per trial, its
/// results. Reports are pure functions of this, so they can be regenerated from the store at any time.
/// </summary>
public sealed record SweepResults(string Name, IReadOnlyList<string> AxisSettings, IReadOnlyList<TrialResult> Trials)
{
    /// <summary>
    /// Reads the trials of <paramref name="sweep"/> from the store; with <paramref name="trialIds"/> (the
    /// current spec's trials) only those, so trials of an older spec under the same name are left out.
    /// </summary>
    public static SweepResults Load(IRunStore store, string sweep, IReadOnlyList<string> axisSettings, IReadOnlyCollection<string>? trialIds = null)
    {
        var ids = trialIds == null ? null : new HashSet<string>(trialIds);
        var trials = store.ListTrials(sweep)
            .Where(t => ids == null || ids.Contains(t.TrialId))
            .Select(t => new TrialResult(t, store.GetEpochs(t.RunId), store.GetOutcome(t.RunId)))
            .ToList();
        return new SweepResults(sweep, axisSettings, trials);
    }

    /// <summary>The trials of <paramref name="spec"/> as it expands now (trials of an older spec under its name left out), with their results.</summary>
    public static SweepResults Of(IRunStore store, SweepSpec spec) =>
        Load(store, spec.Name, spec.Axes.Select(a => a.Setting).ToList(), SweepGrid.Expand(spec, "").Select(t => t.Trial.TrialId).ToList());
}
