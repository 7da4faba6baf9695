using System.Text.Json.Serialization;
using FcnLab.Engine.Optim;

namespace FcnLab.Engine.Training;

/// <summary>
/// Everything a run carries from one step to the next: the one list of a run's state. The training loop
/// (<see cref="TrainingSession"/>) updates it in place and a <see cref="Checkpoint"/> saves it whole, this
/// object as JSON beside the float tensors that live in the network (weights, batch-norm statistics), the
/// optimizer (its buffers) and <see cref="EarlyStopping"/> (the best weights). A resume takes it back and
/// goes on with exactly the bits an uninterrupted run would have had.
/// <para>
/// A member added later is read as its initial value from checkpoints written before it existed, so it
/// must start at what such runs had; members every checkpoint holds are [JsonRequired].
/// </para>
/// </summary>
public sealed class TrainingState
{
    // Where the run stands.
    /// <summary><see cref="RunStatus.Running"/> while the run can go on; its final status once its outputs are written.</summary>
    [JsonRequired, JsonConverter(typeof(RunStatusJsonConverter))]
    public RunStatus Status { get; set; } = RunStatus.Running;
    /// <summary>Epochs finished: trained, validated and in <see cref="Metrics"/>.</summary>
    [JsonRequired] public int EpochsDone { get; set; }
    /// <summary>True when epoch EpochsDone + 1 has started (its rate set, its rows shuffled); false between epochs.</summary>
    [JsonRequired] public bool InEpoch { get; set; }
    /// <summary>Steps done in the epoch in progress (0 between epochs).</summary>
    [JsonRequired] public int Step { get; set; }

    // The epoch in progress so far: sum of batch loss times batch size, correct predictions, examples, training-loop seconds.
    [JsonRequired] public double LossSum { get; set; }
    [JsonRequired] public long CorrectSum { get; set; }
    [JsonRequired] public long Seen { get; set; }
    [JsonRequired] public double EpochSeconds { get; set; }

    /// <summary>Where a diverged run's loss stopped being finite.</summary>
    public int? DivergedEpoch { get; set; }
    public int? DivergedStep { get; set; }

    /// <summary>The finished epochs' rows of metrics.csv.</summary>
    [JsonRequired] public List<EpochMetrics> Metrics { get; init; } = [];

    // What the parts of the run carry.
    /// <summary>Optimizer steps taken (PyTorch's per-parameter "step"); the optimizer's buffers travel as tensors.</summary>
    [JsonRequired] public long OptimizerSteps { get; set; }
    /// <summary>The learning rate of the epoch and the schedule's own state.</summary>
    [JsonRequired] public required LrScheduleState Schedule { get; init; }
    [JsonRequired] public required RunGenerators Generators { get; init; }
    [JsonRequired] public EarlyStopping EarlyStopping { get; init; } = new();
    /// <summary>
    /// The training rows' order: the shuffled order of the epoch in progress, or between epochs the order
    /// the next shuffle starts from. Saved in the checkpoint's payload (one int32 per row), not its JSON.
    /// </summary>
    [JsonIgnore] public int[] Order { get; set; } = [];

    // History (config.json shows it).
    /// <summary>When the run first started (UTC).</summary>
    public string? StartedAt { get; init; }
    [JsonRequired] public List<ResumeRecord> Resumes { get; init; } = [];
    /// <summary>
    /// Where the run is recorded (a run store's location, as the caller that records it names it; the engine only keeps
    /// it), so `train --resume` records into the run's own store. Null, and not written, for a run recorded nowhere.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? RecordedIn { get; set; }

    /// <summary>The state of a run about to take its first step.</summary>
    public static TrainingState Fresh(long seed, double baseLr, string startedAt) => new()
    {
        Schedule = LrScheduleState.Start(baseLr),
        Generators = RunGenerators.Seeded(seed),
        StartedAt = startedAt,
    };
}
