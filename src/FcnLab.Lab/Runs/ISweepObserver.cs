using FcnLab.Engine.Training;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;

namespace FcnLab.Lab.Runs;

/// <summary>Progress of a sweep; the CLI renders it. Called on the sweep's thread.</summary>
public interface ISweepObserver
{
    void SweepStarted(SweepSpec spec, int total, int alreadyFinal, int added, int reclaimed) { }
    /// <summary>--retry-failed put this many failed trials back to pending.</summary>
    void FailedRetried(int count) { }
    /// <summary>Receives the trial's training progress.</summary>
    ITrainingObserver TrialStarted(TrialRecord trial, int number, int total, bool resuming) => NullObserver.Instance;
    void TrialFinished(TrialRecord trial, int finished, int total) { }
    /// <summary>--timeout: this invocation has run <paramref name="limit"/>, so no further trial starts.</summary>
    void TimedOut(TimeSpan limit) { }
}
