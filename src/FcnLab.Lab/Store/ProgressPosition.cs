namespace FcnLab.Lab.Store;

/// <summary>
/// Where a training run stands, as its lifecycle publishes it while it trains: epoch <see cref="Epoch"/>
/// (1-based) of <see cref="Epochs"/>, <see cref="Step"/> of its <see cref="Steps"/> steps done, the mean
/// training loss of those steps (what the progress bar shows), and this attempt's pace: steps per second
/// of wall-clock time since its first step, validation included (null until it has a second step).
/// </summary>
public sealed record ProgressPosition(int Epoch, int Epochs, int Step, int Steps, double RunningLoss, double? StepsPerSecond)
{
    /// <summary>Steps left until the last epoch ends.</summary>
    public long StepsLeft => (long)(Epochs - Epoch) * Steps + (Steps - Step);

    /// <summary>The time the steps left take at this pace (null without a pace).</summary>
    public TimeSpan? Remaining => StepsPerSecond is > 0 and { } rate ? TimeSpan.FromSeconds(StepsLeft / rate) : null;
}
