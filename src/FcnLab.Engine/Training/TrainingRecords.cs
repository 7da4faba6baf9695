namespace FcnLab.Engine.Training;

/// <summary>One row of metrics.csv. Validation fields are null without a validation set.</summary>
public sealed record EpochMetrics(int Epoch, double TrainLoss, double TrainAccuracy, double? ValLoss, double? ValAccuracy, double Lr, double Seconds);

/// <summary>A resume of a run (config.json's "resumes"): it went on at step Step of epoch Epoch (steps done), to Epochs in total, on Threads threads, at time At (UTC).</summary>
public sealed record ResumeRecord(int Epoch, int Step, int Epochs, int Threads, string At);

/// <summary>summary.json: keys as the run directory contract names them, null where they do not apply.</summary>
public sealed record RunSummary
{
    public required RunStatus Status { get; init; }
    public double? TestAccuracy { get; init; }
    public double? TestLoss { get; init; }
    public double? StartValAccuracy { get; init; }
    public double? BestValAccuracy { get; init; }
    public int? BestValEpoch { get; init; }
    public double? LowestTrainLoss { get; init; }
    public int? LowestTrainLossEpoch { get; init; }
    public int EpochsRun { get; init; }
    public int? DivergedEpoch { get; init; }
    public int? DivergedStep { get; init; }
    public double TrainSeconds { get; init; }
    public double SecondsPerEpoch { get; init; }
    public long Parameters { get; init; }
}

/// <summary>A test example the final model got wrong: its index in the test set, its label and the predicted class.</summary>
public sealed record Misclassification(int Index, int TrueClass, int PredictedClass);

/// <summary>What a run produced: the summary, the per-epoch metrics and (unless it diverged) the test evaluation and its mistakes.</summary>
public sealed record TrainResult(RunSummary Summary, IReadOnlyList<EpochMetrics> Epochs, EvalResult? Test, string[] ClassNames, IReadOnlyList<Misclassification> Misclassified);

/// <summary>Facts about a run known once data and model are ready, for progress output; Summary is the <see cref="Models.ModelSummary"/> table.</summary>
public sealed record RunInfo(string Model, long Parameters, int TrainCount, int ValCount, int TestCount, int StepsPerEpoch, string DataDirectory, int Threads, string? Summary = null);

/// <summary>Receives progress; the CLI renders it. Called on the training thread.</summary>
public interface ITrainingObserver
{
    void RunStarted(RunInfo info) { }
    void EpochStarted(int epoch, int epochs, int steps) { }
    void StepCompleted(int epoch, int step, int steps, double runningLoss) { }
    void EpochCompleted(EpochMetrics metrics, int epochs) { }
    void Note(string message) { }
}

public sealed class NullObserver : ITrainingObserver
{
    public static readonly NullObserver Instance = new();
}
