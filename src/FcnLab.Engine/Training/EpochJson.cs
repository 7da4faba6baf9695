namespace FcnLab.Engine.Training;

/// <summary>One epoch's metrics as JSON documents write them (`train --json`'s "epochs"): validation values null when absent or not finite, seconds rounded to milliseconds.</summary>
public sealed record EpochJson(int Epoch, double TrainLoss, double TrainAccuracy, double? ValLoss, double? ValAccuracy, double Lr, double Seconds)
{
    public static EpochJson Of(EpochMetrics e) =>
        new(e.Epoch, e.TrainLoss, e.TrainAccuracy, SummaryJson.Finite(e.ValLoss), SummaryJson.Finite(e.ValAccuracy), e.Lr, Math.Round(e.Seconds, 3));
}
