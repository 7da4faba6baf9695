namespace FcnLab.Lab.Runs;

/// <summary>How a run is recorded while it trains: who holds it, and how often it beats and publishes its progress. None of it changes a run's numbers.</summary>
public sealed record RunOptions
{
    /// <summary>Progress is published this often unless told otherwise (`--progress-every`).</summary>
    public static readonly TimeSpan DefaultProgressEvery = TimeSpan.FromSeconds(1);

    /// <summary>Who holds the run in the store ("host:pid").</summary>
    public string Owner { get; init; } = Store.Owner.Current;
    /// <summary>How often the holder refreshes its heartbeat while nothing else reaches the store.</summary>
    public TimeSpan HeartbeatEvery { get; init; } = TrialRecorder.DefaultHeartbeatEvery;
    /// <summary>
    /// The run publishes its position and recent loss at most this often while it trains (each publish is one store
    /// transaction and also counts as a heartbeat); zero: only when an epoch ends. A large cluster publishes less often.
    /// </summary>
    public TimeSpan ProgressEvery { get; init; } = DefaultProgressEvery;
    /// <summary>`train --resume` takes up a run left running by a process that has not beaten for this long (or is gone from this host).</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>How long a SQLite store locked by another process is waited for (`--store-timeout`).</summary>
    public TimeSpan StoreTimeout { get; init; } = Store.SqliteRunStore.DefaultTimeout;
}
