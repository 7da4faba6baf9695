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

    /// <summary>The latest run outside any sweep recorded with the run directory <paramref name="runDir"/> (a full path; a trailing separator does not matter), or null.</summary>
    TrialRecord? FindRun(string runDir);

    /// <summary>
    /// Takes up a run outside any sweep again (`fcnlab train --resume`): running under <paramref name="owner"/>, an attempt
    /// counted, its settings replaced by <paramref name="run"/>'s (a resume may change the epochs), its error cleared. False
    /// (and no change) when another process holds it: running with a heartbeat younger than <paramref name="grace"/> whose
    /// holder is not known to be dead.
    /// </summary>
    bool Reopen(long runId, TrialDefinition run, string owner, TimeSpan grace);

    /// <summary>Trials of one sweep (null: every run), in run-id order.</summary>
    IReadOnlyList<TrialRecord> ListTrials(string? sweep = null);
    TrialRecord? GetTrial(long runId);
    /// <summary>One page of every run and trial, filtered and sorted by the store (the dashboard's runs table over many runs), and how many pass the filter, from one snapshot.</summary>
    RunListPage ListRuns(RunListQuery query);
    /// <summary>Trials whose trial id starts with <paramref name="prefix"/> (any sweep).</summary>
    IReadOnlyList<TrialRecord> FindTrials(string prefix);

    /// <summary>
    /// Puts the trials of <paramref name="sweep"/> that no process works on back to pending: interrupted ones, and
    /// running ones whose owner is gone (owners on this host whose process no longer exists, and any owner whose
    /// heartbeat is older than <paramref name="grace"/>). A running trial already claimed <paramref name="maxAttempts"/>
    /// times (null: no limit) is marked failed with the reason instead, so a trial that kills every worker that takes
    /// it does not go round forever; an interrupted one was stopped on purpose and always goes back.
    /// Returns the trials taken back or given up, as they are now.
    /// </summary>
    IReadOnlyList<TrialRecord> ReclaimAbandoned(string sweep, TimeSpan grace, int? maxAttempts = null);

    /// <summary>
    /// Puts the failed trials of <paramref name="sweep"/> back to pending (their error cleared, their attempts counted
    /// from zero), so they run again (`--retry-failed`); returns them as they are now.
    /// </summary>
    IReadOnlyList<TrialRecord> RetryFailed(string sweep);

    /// <summary>
    /// Atomically moves one pending trial of <paramref name="sweep"/> (restricted to <paramref name="trialIds"/>
    /// when given; lowest run id first) to running under <paramref name="owner"/>, counting an attempt.
    /// Null when none is pending.
    /// </summary>
    TrialRecord? ClaimNext(string sweep, string owner, IReadOnlyCollection<string>? trialIds = null);

    /// <summary>
    /// A search's next trial: in one write transaction that excludes every other suggestion for <paramref name="sweep"/>
    /// (PostgreSQL: its sweeps row locked; SQLite: the write lock), reads the sweep's trials with their epochs, asks
    /// <paramref name="suggest"/> for the next trial, and records it running under <paramref name="owner"/> (one
    /// attempt). Two workers never get the same trial number, and each sees the trials the other recorded. Null when
    /// <paramref name="suggest"/> returns null (the search has all its trials).
    /// </summary>
    /// <exception cref="Engine.FcnLabException">The sweep already holds the suggested trial id (its spec changed under the same name).</exception>
    TrialRecord? ClaimNew(string sweep, string owner, Func<IReadOnlyList<TrialHistory>, TrialDefinition?> suggest);

    /// <summary>The trials of <paramref name="sweep"/> in run-id order, each with its stored epochs, read from one snapshot.</summary>
    IReadOnlyList<TrialHistory> GetHistory(string sweep);

    /// <summary>Refreshes the heartbeat; false when <paramref name="owner"/> no longer holds the trial.</summary>
    bool Heartbeat(long runId, string owner);

    /// <summary>Writes (or rewrites, for a resumed trial) one epoch's metrics; false when not the holder.</summary>
    bool RecordEpoch(long runId, string owner, EpochMetrics metrics);

    /// <summary>Marks the trial final with its summary status and results; false (and no change) when not the holder.</summary>
    bool Complete(long runId, string owner, TrialOutcome outcome);

    /// <summary>Marks the trial failed with the error text; false when not the holder.</summary>
    bool Fail(long runId, string owner, string error);

    /// <summary>Marks the trial interrupted (stopped on purpose, its checkpoint saved: it can go on) with a note on how to continue it; false when not the holder.</summary>
    bool Interrupt(long runId, string owner, string note);

    /// <summary>
    /// Publishes where a running trial stands (and refreshes its heartbeat), in one transaction: its position replaces
    /// the last one; <paramref name="window"/>, when given, is added to its loss curve; <paramref name="endedEpoch"/>, when
    /// an epoch just ended, is recorded as <see cref="RecordEpoch"/> does. <paramref name="newAttempt"/> marks the first
    /// publish of a training that started over or resumed from a checkpoint: the points of an earlier attempt past this
    /// one's start are dropped, since this attempt trains those steps again. False (and no change) when not the holder.
    /// </summary>
    bool PublishProgress(long runId, string owner, ProgressPosition position, LossWindow? window, bool newAttempt, EpochMetrics? endedEpoch = null);

    /// <summary>
    /// The run's latest published position and its loss curve after step <paramref name="afterStep"/> of epoch
    /// <paramref name="afterEpoch"/> (the defaults: all of it; a reader that follows a run passes the last point it
    /// has). Null when the run never published its progress.
    /// </summary>
    RunProgress? GetProgress(long runId, int afterEpoch = 0, int afterStep = 0);

    /// <summary>
    /// Runs the reads in <paramref name="read"/> on one snapshot of the store (one read transaction): they all see the
    /// same commits, so a run's epochs and its published position agree (the dashboard's run page reads them so).
    /// </summary>
    T ReadConsistent<T>(Func<IRunStore, T> read);

    IReadOnlyList<EpochMetrics> GetEpochs(long runId);
    /// <summary>The stored results of a final trial (null for pending, running or failed ones).</summary>
    TrialOutcome? GetOutcome(long runId);
}
