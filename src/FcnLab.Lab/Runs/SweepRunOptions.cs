using FcnLab.Engine.Data;

namespace FcnLab.Lab.Runs;

/// <summary>How a sweep runs on this machine; none of it changes a trial's identity or its numbers.</summary>
public sealed record SweepRunOptions
{
    /// <summary>Worker threads per training; null: each trial's own setting (default all cores).</summary>
    public int? Threads { get; init; }
    /// <summary>A running trial whose heartbeat is older than this is taken back (its holder is presumed dead).</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>A trial taken back after this many claims is failed instead (null: taken back every time).</summary>
    public int? MaxAttempts { get; init; }
    /// <summary>How often a running trial's holder beats: well within <see cref="Grace"/>.</summary>
    public TimeSpan HeartbeatEvery => TrialRecorder.HeartbeatFor(Grace);
    /// <summary>How often a running trial publishes its progress (see <see cref="RunOptions.ProgressEvery"/>).</summary>
    public TimeSpan ProgressEvery { get; init; } = RunOptions.DefaultProgressEvery;
    /// <summary>Put the sweep's failed trials back to pending first, so a transient fault (a full disk, data that has since appeared) is not final.</summary>
    public bool RetryFailed { get; init; }
    /// <summary>Stop after this many trials (null: until none is pending).</summary>
    public int? MaxTrials { get; init; }
    /// <summary>
    /// Wall clock for this invocation (`--timeout`): once it has run this long no trial starts; a trial in training then
    /// finishes first (null: no limit). The same command again goes on where it stopped.
    /// </summary>
    public TimeSpan? Timeout { get; init; }
    /// <summary>Who holds the trials this process claims.</summary>
    public string Owner { get; init; } = Store.Owner.Current;
    /// <summary>Loads a data set (tests pass their own environment).</summary>
    public Func<DataOptions, ImageDataset> LoadData { get; init; } = DatasetCatalog.Load;

    /// <summary>How each trial is recorded while it trains.</summary>
    public RunOptions Run => new() { Owner = Owner, HeartbeatEvery = HeartbeatEvery, ProgressEvery = ProgressEvery, Grace = Grace };
}
