namespace FcnLab.Engine.Training;

/// <summary>One row of metrics.csv. Validation fields are null without a validation set.</summary>
public sealed record EpochMetrics(int Epoch, double TrainLoss, double TrainAccuracy, double? ValLoss, double? ValAccuracy, double Lr, double Seconds);
