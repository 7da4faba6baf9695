namespace FcnLab.Engine.Training;

/// <summary>What a run produced: the summary, the per-epoch metrics and (unless it diverged) the test evaluation and its mistakes.</summary>
public sealed record TrainResult(RunSummary Summary, IReadOnlyList<EpochMetrics> Epochs, EvalResult? Test, string[] ClassNames, IReadOnlyList<Misclassification> Misclassified);
