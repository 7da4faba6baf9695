namespace FcnLab.Engine.Training;

/// <summary>Receives progress; the CLI renders it. Called on the training thread.</summary>
public interface ITrainingObserver
{
    void RunStarted(RunInfo info) { }
    void EpochStarted(int epoch, int epochs, int steps) { }
    void StepCompleted(int epoch, int step, int steps, double runningLoss) { }
    void EpochCompleted(EpochMetrics metrics, int epochs) { }
    void Note(string message) { }
}
