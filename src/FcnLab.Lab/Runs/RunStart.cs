using FcnLab.Engine;
using FcnLab.Engine.Data;
using FcnLab.Engine.Training;

namespace FcnLab.Lab.Runs;

/// <summary>
/// What a run trains: a config from the first step, or on from a checkpoint to <see cref="Epochs"/> epochs in total
/// on <see cref="Threads"/> threads (null: the run's own). <see cref="Config"/> is the run's resolved settings either way
/// (for a resume: the checkpoint's, with the new total), what the store records; the threads this process trains
/// on travel beside it, to the trainer, and are recorded in the checkpoint's resumes, never in the run's settings.
/// </summary>
public sealed record RunStart
{
    public required TrainConfig Config { get; init; }
    public Checkpoint? Checkpoint { get; init; }
    public int? Epochs { get; init; }
    public int? Threads { get; init; }

    /// <summary>Where the run is recorded (the store's location, kept in its checkpoint so `train --resume` finds it); null for a sweep trial, whose sweep knows.</summary>
    public string? RecordedIn { get; init; }

    /// <summary>True when it goes on from a checkpoint.</summary>
    public bool Resumes => Checkpoint != null;

    public static RunStart Fresh(TrainConfig config) => new() { Config = config };

    public static RunStart From(Checkpoint checkpoint, int? epochs = null, int? threads = null) => new()
    {
        Config = checkpoint.Config with { Epochs = epochs ?? checkpoint.Config.Epochs },
        Checkpoint = checkpoint,
        Epochs = epochs,
        Threads = threads,
    };

    /// <summary>
    /// A sweep trial in <paramref name="runDir"/>: on from the checkpoint an earlier attempt left there when it can go
    /// on, else <paramref name="config"/> from the start. A finished checkpoint (the process died between writing the
    /// outputs and recording them) or an unreadable one means training again from the start, to the same numbers.
    /// </summary>
    public static RunStart ForTrial(string runDir, TrainConfig config, int? threads)
    {
        if (Checkpoint.Exists(runDir))
        {
            try
            {
                var checkpoint = Checkpoint.Load(runDir);
                if (!checkpoint.IsFinished) return From(checkpoint, epochs: null, threads);
            }
            catch (FcnLabException)
            {
                // Unreadable: train again from the start.
            }
        }
        return Fresh(threads is { } t ? config with { Threads = t } : config);
    }

    /// <summary>Trains it in <paramref name="runDir"/>: the one place a run reaches the trainer.</summary>
    internal TrainResult Train(ImageDataset data, string runDir, ITrainingObserver observer, CancellationToken cancel) =>
        Checkpoint is { } checkpoint
            ? Trainer.Resume(checkpoint, runDir, data, observer, Epochs, Threads, cancel, RecordedIn)
            : Trainer.Run(Config, data, runDir, observer, cancel, RecordedIn);
}
