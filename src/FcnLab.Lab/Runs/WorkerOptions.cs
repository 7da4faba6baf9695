namespace FcnLab.Lab.Runs;

/// <summary>How a worker runs; with <see cref="SweepRunOptions"/> for each trial.</summary>
public sealed record WorkerOptions
{
    /// <summary>Serve this sweep only (null: any sweep in the store, in name order).</summary>
    public string? Sweep { get; init; }
    /// <summary>Exit once every trial of the served sweeps is final, instead of waiting for new work.</summary>
    public bool ExitWhenIdle { get; init; }
    /// <summary>How long to wait between looks at the store when there is nothing to claim (null: see <see cref="PollEvery"/>).</summary>
    public TimeSpan? Poll { get; init; }
    public SweepRunOptions Run { get; init; } = new();
    /// <summary>When it starts, put the served sweeps' failed trials back to pending (`--retry-failed`).</summary>
    public bool RetryFailed { get; init; }

    /// <summary>
    /// A quarter of the grace, at most 0.25 s while waiting for the last trials to end (the worker exits soon
    /// after the sweep does: a wall-clock sweep ends when its last worker does, and a look costs the store a
    /// read of well under a millisecond), at most 5 s while waiting for new work (an idle fleet costs the server little).
    /// </summary>
    public TimeSpan PollEvery => Poll ?? (ExitWhenIdle
        ? TimeSpan.FromTicks(Math.Min(TrialRecorder.HeartbeatFor(Run.Grace).Ticks, TimeSpan.TicksPerSecond / 4))
        : TrialRecorder.HeartbeatFor(Run.Grace));
}
