using FcnLab.Engine.Training;
using FcnLab.Lab.Sweeps;

namespace FcnLab.Lab.Store;

/// <summary>
/// The run store: sweeps, trials, per-epoch metrics and results. Every state change is one transaction.
/// SQLite (embedded, the default) implements it; a PostgreSQL store can serve many machines. A trial is
/// claimed by one owner ("host:pid"); only the current owner can report on it or complete it.
/// </summary>
public interface IRunStore : IDisposable
{
    /// <summary>Where the store lives, for messages: a path, or a server address with the password left out (never credentials).</summary>
    string Location { get; }

    /// <summary>Creates the sweep or replaces its spec text (a changed spec keeps the old trials).</summary>
    void SaveSweep(string name, string specText);
    SweepRecord? GetSweep(string name);
    IReadOnlyList<SweepRecord> ListSweeps();

    /// <summary>Adds the trials not yet recorded (by sweep and trial id) as pending; returns how many were new.</summary>
    int AddTrials(IEnumerable<TrialDefinition> trials);

    /// <summary>Records a run outside any sweep (`fcnlab train`) as running, held by <paramref name="owner"/>; returns its run id.</summary>
    long StartRun(TrialDefinition run, string owner);

    /// <summary>Trials of one sweep (null: every run), in run-id order.</summary>
    IReadOnlyList<TrialRecord> ListTrials(string? sweep = null);
    TrialRecord? GetTrial(long runId);
    /// <summary>Trials whose trial id starts with <paramref name="prefix"/> (any sweep).</summary>
    IReadOnlyList<TrialRecord> FindTrials(string prefix);

    /// <summary>
    /// Puts running trials of <paramref name="sweep"/> whose owner is gone back to pending: owners on this
    /// host whose process no longer exists, and any owner whose heartbeat is older than <paramref name="grace"/>.
    /// A trial already claimed <paramref name="maxAttempts"/> times (null: no limit) is marked failed with the
    /// reason instead, so a trial that kills every worker that takes it does not go round forever.
    /// Returns the trials taken back or given up, as they are now.
    /// </summary>
    IReadOnlyList<TrialRecord> ReclaimAbandoned(string sweep, TimeSpan grace, int? maxAttempts = null);

    /// <summary>
    /// Atomically moves one pending trial of <paramref name="sweep"/> (restricted to <paramref name="trialIds"/>
    /// when given; lowest run id first) to running under <paramref name="owner"/>, counting an attempt.
    /// Null when none is pending.
    /// </summary>
    TrialRecord? ClaimNext(string sweep, string owner, IReadOnlyCollection<string>? trialIds = null);

    /// <summary>Refreshes the heartbeat; false when <paramref name="owner"/> no longer holds the trial.</summary>
    bool Heartbeat(long runId, string owner);

    /// <summary>Writes (or rewrites, for a resumed trial) one epoch's metrics; false when not the holder.</summary>
    bool RecordEpoch(long runId, string owner, EpochMetrics metrics);

    /// <summary>Marks the trial final with its summary status and results; false (and no change) when not the holder.</summary>
    bool Complete(long runId, string owner, TrialOutcome outcome);

    /// <summary>Marks the trial failed with the error text; false when not the holder.</summary>
    bool Fail(long runId, string owner, string error);

    IReadOnlyList<EpochMetrics> GetEpochs(long runId);
    /// <summary>The stored results of a final trial (null for pending, running or failed ones).</summary>
    TrialOutcome? GetOutcome(long runId);
}
