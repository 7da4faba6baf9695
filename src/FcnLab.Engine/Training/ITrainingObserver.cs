namespace FcnLab.Engine.Training;

/// <summary>Receives progress; the CLI renders it. Called on the training thread.</summary>
public interface ITrainingObserver
{
    void RunStarted(RunInfo info) { }
    void EpochStarted(int epoch, int epochs, int steps) { }
    void StepCompleted(int epoch, int step, int steps, double runningLoss) { }
    void EpochCompleted(EpochMetrics metrics, int epochs) { }
    void Note(string message) { }

    /// <summary>
    /// Asked at the end of every epoch but the last, after <see cref="EpochCompleted"/> (a search's pruner reads the
    /// epoch where that recorded it): a reason stops the run as <see cref="RunStatus.Pruned"/>, which is then tested
    /// with its last weights; null goes on. The reason travels back as a value; the loop keeps no pruner.
    /// </summary>
    string? PruneAfter(EpochMetrics metrics) => null;
}
