using FcnLab.Engine.Training;
using FcnLab.Lab.Store;

namespace FcnLab.Lab.Runs;

/// <summary>What a worker tells as it goes; the CLI prints it. Called on the worker's thread.</summary>
public interface IWorkerObserver
{
    void Note(string message) { }
    /// <summary>Receives the trial's training progress.</summary>
    ITrainingObserver TrialStarted(TrialRecord trial, bool resuming) => NullObserver.Instance;
    /// <summary>The trial as stored after this worker's attempt; <paramref name="takenOver"/> when another worker took it over meanwhile.</summary>
    void TrialFinished(TrialRecord trial, bool takenOver) { }
}
