using FcnLab.Engine.Training;
using FcnLab.Lab.Search;

namespace FcnLab.Lab.Store;

/// <summary>A trial of a sweep with its stored epochs: what a search's sampler, pruner and report read (docs/search.md).</summary>
public sealed record TrialHistory(TrialRecord Trial, IReadOnlyList<EpochMetrics> Epochs)
{
    /// <summary>The objective after each epoch: the stored val_accuracy or val_loss (NaN where none was measured).</summary>
    private static IReadOnlyList<double> ObjectiveValues(SearchObjective objective, IReadOnlyList<EpochMetrics> epochs) =>
        [.. epochs.Select(e => (objective == SearchObjective.ValLoss ? e.ValLoss : e.ValAccuracy) ?? double.NaN)];

    /// <summary>
    /// This trial as the sampler, the pruners and the report see it: its number, state, point, epoch values, and, when it
    /// completed (or stopped early), its value: the objective at its last epoch, as Optuna takes the value the objective
    /// returns at the end.
    /// </summary>
    public SearchTrial ToSearchTrial(SearchObjective objective, SearchPoint? point)
    {
        var values = ObjectiveValues(objective, Epochs);
        var state = Trial.Status switch
        {
            RunStatus.Completed or RunStatus.EarlyStopped => SearchTrialState.Completed,
            RunStatus.Pruned => SearchTrialState.Pruned,
            RunStatus.Failed or RunStatus.Diverged => SearchTrialState.Failed,
            _ => SearchTrialState.Running,
        };
        return new SearchTrial
        {
            Number = Trial.Definition.Repeat,
            State = state,
            Point = point,
            Value = state == SearchTrialState.Completed && values.Count > 0 ? values[^1] : null,
            EpochValues = values,
        };
    }
}
