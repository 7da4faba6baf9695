using FcnLab.Engine.Training;

namespace FcnLab.Lab.Store;

/// <summary>What a finished (not failed) trial leaves in the store beside its summary.</summary>
public sealed record TrialOutcome(RunSummary Summary, long[,]? Confusion, IReadOnlyList<string> ClassNames, IReadOnlyList<Misclassification> Misclassified)
{
    /// <summary>What a finished training leaves in the store.</summary>
    public static TrialOutcome Of(TrainResult result) => new(result.Summary, result.Test?.Confusion, result.ClassNames, result.Misclassified);
}
