using System.Data.Common;
using FcnLab.Engine.Training;
using FcnLab.Lab.Sweeps;

namespace FcnLab.Lab.Store;

/// <summary>
/// What the SQLite and PostgreSQL stores share: one connection, calls serialized on it (so a heartbeat timer
/// may share the store with the training thread), the same tables and columns, and every operation whose SQL
/// reads the same in both. Each store supplies its transactions, how it binds parameters and times (text in
/// SQLite; timestamptz and the server's clock in PostgreSQL), and the statements that differ: adding trials,
/// the claim, and reading the running trials for a reclaim.
/// </summary>
public abstract class SqlRunStore : IRunStore
{
    private readonly DbConnection _connection;
    private readonly object _gate = new();
    /// <summary>True while <see cref="ReadConsistent"/> runs (under the lock): the reads inside use its snapshot.</summary>
    private bool _inSnapshot;

    private protected SqlRunStore(string location, DbConnection connection)
    {
        Location = location;
        _connection = connection;
    }

    public string Location { get; }

    /// <summary>The time of a change in SQL: a bound @now, or an expression around it.</summary>
    private protected abstract string Now { get; }

    /// <summary>"owner IS @owner" in the store's dialect (true for two NULLs too).</summary>
    private protected abstract string OwnerIs { get; }

    /// <summary>ORDER BY suffix that sorts names byte by byte, whatever the database's locale.</summary>
    private protected virtual string ByteOrder => "";

    /// <summary>SELECT suffix that locks the rows read until the transaction ends ("": a SQLite write transaction already holds the whole file).</summary>
    private protected virtual string ForUpdate => "";

    /// <summary>A command on the store's connection with the parameters bound; @now, when the SQL uses it, is bound by the store.</summary>
    private protected abstract DbCommand Command(string sql, params (string Name, object? Value)[] parameters);

    /// <summary>Runs <paramref name="body"/> in one write transaction and commits; rolls back on any exception. Called under the lock.</summary>
    private protected abstract T WriteTransaction<T>(Func<T> body);

    /// <summary>Runs <paramref name="body"/> on one snapshot of the store. Called under the lock.</summary>
    private protected abstract T ReadTransaction<T>(Func<T> body);

    private protected abstract DateTime ReadTime(DbDataReader r, int i);

    /// <summary>A store error as the caller should see it (null: as it is).</summary>
    private protected virtual Exception? Translate(DbException e) => null;

    private protected abstract int InsertTrials(IReadOnlyList<TrialDefinition> trials);
    private protected abstract long InsertRun(TrialDefinition run, string owner);
    /// <summary>Inserts a sweep trial running under <paramref name="owner"/> (one attempt); its run id, or null when the sweep already has its trial id.</summary>
    private protected abstract long? InsertClaimed(TrialDefinition trial, string owner);
    private protected abstract TrialRecord? Claim(string sweep, string owner, IReadOnlyCollection<string>? trialIds);
    /// <summary>
    /// The sweep's running trials that may be abandoned, locked for this transaction, each with the store's
    /// time now: at least those with a heartbeat older than <paramref name="grace"/> and those held on this host.
    /// </summary>
    private protected abstract List<(TrialRecord Trial, DateTime Now)> LockRunning(string sweep, TimeSpan grace);
    private protected abstract void InsertMisclassified(long runId, IReadOnlyList<Misclassification> misclassified);

    private const string SelectSweepsSql = "SELECT name, spec_text, created_at, updated_at FROM sweeps";
    private protected const string SelectTrialsSql = $"SELECT {StoreRows.TrialColumns} FROM trials";
    private const string HolderCondition = "run_id = @run_id AND owner = @owner AND status = 'running'";

    private string UpsertSweepSql => $"""
        INSERT INTO sweeps (name, spec_text, created_at, updated_at) VALUES (@name, @spec, {Now}, {Now})
        ON CONFLICT (name) DO UPDATE SET spec_text = excluded.spec_text, updated_at = excluded.updated_at
        """;

    private string ReleaseSql => $"""
        UPDATE trials SET status = 'pending', owner = NULL, heartbeat = NULL
        WHERE run_id = @run_id AND status = 'running' AND {OwnerIs}
        """;

    private string GiveUpSql => $"""
        UPDATE trials SET status = 'failed', owner = NULL, finished_at = {Now}, error = @error
        WHERE run_id = @run_id AND status = 'running' AND {OwnerIs}
        """;

    private string HeartbeatSql => $"UPDATE trials SET heartbeat = {Now} WHERE {HolderCondition}";

    // Interrupted trials were stopped on purpose (their checkpoint saved): they go back without counting against max attempts.
    private const string ReleaseInterruptedSql = """
        UPDATE trials SET status = 'pending', owner = NULL, heartbeat = NULL, error = NULL
        WHERE sweep = @sweep AND status = 'interrupted'
        RETURNING run_id
        """;

    private const string RetryFailedSql = """
        UPDATE trials SET status = 'pending', owner = NULL, heartbeat = NULL, finished_at = NULL, error = NULL, attempts = 0
        WHERE sweep = @sweep AND status = 'failed'
        RETURNING run_id
        """;

    private string InterruptSql => $"UPDATE trials SET status = 'interrupted', heartbeat = {Now}, error = @error WHERE {HolderCondition}";

    private string LockTrialSql => $"SELECT {StoreRows.TrialColumns}, {Now} AS now FROM trials WHERE run_id = @run_id{ForUpdate}";

    private string ReopenSql => $"""
        UPDATE trials SET status = 'running', owner = @owner, heartbeat = {Now}, started_at = {Now}, finished_at = NULL, error = NULL,
            attempts = attempts + 1, trial_id = @trial_id, config_json = @config_json, seed = @seed
        WHERE run_id = @run_id AND sweep IS NULL
        """;

    private string UpsertProgressSql => $"""
        INSERT INTO progress (run_id, epoch, epochs, step, steps, running_loss, steps_per_second, updated_at)
        VALUES (@run_id, @epoch, @epochs, @step, @steps, @running_loss, @steps_per_second, {Now})
        ON CONFLICT (run_id) DO UPDATE SET
            epoch = excluded.epoch, epochs = excluded.epochs, step = excluded.step, steps = excluded.steps,
            running_loss = excluded.running_loss, steps_per_second = excluded.steps_per_second, updated_at = excluded.updated_at
        """;

    private const string DropLaterLossesSql = "DELETE FROM step_losses WHERE run_id = @run_id AND (epoch > @epoch OR (epoch = @epoch AND step > @step))";

    private string UpsertLossSql => $"""
        INSERT INTO step_losses (run_id, epoch, step, steps, loss, at) VALUES (@run_id, @epoch, @step, @steps, @loss, {Now})
        ON CONFLICT (run_id, epoch, step) DO UPDATE SET steps = excluded.steps, loss = excluded.loss, at = excluded.at
        """;

    private const string ProgressAfterSql = "WHERE run_id = @run_id AND (epoch > @epoch OR (epoch = @epoch AND step > @step)) ORDER BY epoch, step";

    private const string UpsertEpochSql = $"""
        INSERT INTO epochs (run_id, {StoreRows.EpochColumns})
        VALUES (@run_id, @epoch, @train_loss, @train_accuracy, @val_loss, @val_accuracy, @lr, @seconds)
        ON CONFLICT (run_id, epoch) DO UPDATE SET
            train_loss = excluded.train_loss, train_accuracy = excluded.train_accuracy,
            val_loss = excluded.val_loss, val_accuracy = excluded.val_accuracy,
            lr = excluded.lr, seconds = excluded.seconds
        """;

    private string CompleteSql => $"""
        UPDATE trials SET status = @status, finished_at = {Now}, heartbeat = {Now}, error = @note,
            test_accuracy = @test_accuracy, test_loss = @test_loss, start_val_accuracy = @start_val_accuracy,
            best_val_accuracy = @best_val_accuracy, best_val_epoch = @best_val_epoch,
            lowest_train_loss = @lowest_train_loss, lowest_train_loss_epoch = @lowest_train_loss_epoch,
            epochs_run = @epochs_run, diverged_epoch = @diverged_epoch, diverged_step = @diverged_step,
            train_seconds = @train_seconds, seconds_per_epoch = @seconds_per_epoch, parameters = @parameters,
            class_names = @class_names, confusion = @confusion
        WHERE {HolderCondition}
        """;

    private string FailSql => $"UPDATE trials SET status = 'failed', finished_at = {Now}, heartbeat = {Now}, error = @error WHERE {HolderCondition}";

    public void SaveSweep(string name, string specText) => InWriteTransaction(() =>
    {
        using var cmd = Command(UpsertSweepSql, ("@name", name), ("@spec", specText));
        return cmd.ExecuteNonQuery();
    });

    public SweepRecord? GetSweep(string name) => ReadSweeps($"{SelectSweepsSql} WHERE name = @name", name).SingleOrDefault();

    public IReadOnlyList<SweepRecord> ListSweeps() => ReadSweeps($"{SelectSweepsSql} ORDER BY name{ByteOrder}", null);

    private List<SweepRecord> ReadSweeps(string sql, string? name) => Locked(() =>
    {
        using var cmd = Command(sql, ("@name", name));
        using var reader = cmd.ExecuteReader();
        var sweeps = new List<SweepRecord>();
        while (reader.Read())
            sweeps.Add(new SweepRecord(reader.GetString(0), reader.GetString(1), ReadTime(reader, 2), ReadTime(reader, 3)));
        return sweeps;
    });

    public int AddTrials(IEnumerable<TrialDefinition> trials)
    {
        var list = trials.ToList();
        if (list.Any(t => t.Sweep == null))
            throw new ArgumentException("AddTrials records sweep trials; a run outside any sweep goes through StartRun.", nameof(trials));
        return InWriteTransaction(() => InsertTrials(list));
    }

    public long StartRun(TrialDefinition run, string owner)
    {
        if (run.Sweep != null)
            throw new ArgumentException($"StartRun records a run outside any sweep, but this one belongs to sweep '{run.Sweep}'.", nameof(run));
        bool again = false;
        return InWriteTransaction(() =>
        {
            // Run again after a lost connection: a row this process started for this directory is the first attempt's, committed.
            if (Again(ref again) && ReadTrialsLocked($"{SelectTrialsSql} WHERE sweep IS NULL AND run_dir = @dir AND owner = @owner AND status = 'running' ORDER BY run_id DESC LIMIT 1",
                    ("@dir", run.RunDir), ("@owner", owner)).SingleOrDefault() is { } started)
                return started.RunId;
            return InsertRun(run, owner);
        });
    }

    public TrialRecord? FindRun(string runDir)
    {
        string dir = Path.TrimEndingDirectorySeparator(runDir);
        return ReadTrials($"{SelectTrialsSql} WHERE sweep IS NULL AND run_dir IN (@dir, @dir_slash) ORDER BY run_id DESC LIMIT 1",
            ("@dir", dir), ("@dir_slash", dir + Path.DirectorySeparatorChar)).SingleOrDefault();
    }

    public bool Reopen(long runId, TrialDefinition run, string owner, TimeSpan grace)
    {
        if (run.Sweep != null)
            throw new ArgumentException($"Reopen takes up a run outside any sweep, but this one belongs to sweep '{run.Sweep}'.", nameof(run));
        bool again = false;
        return InWriteTransaction(() =>
        {
            bool retried = Again(ref again);
            (TrialRecord Trial, DateTime Now)? found = null;
            using (var cmd = Command(LockTrialSql, ("@run_id", runId)))
            using (var reader = cmd.ExecuteReader())
            {
                if (reader.Read()) found = (ReadTrial(reader), ReadTime(reader, reader.GetOrdinal("now")));
            }
            if (found is not { } f || f.Trial.Sweep != null) return false;
            // Run again after a lost connection: already running under this owner means the first attempt committed.
            if (retried && f.Trial.Status == RunStatus.Running && f.Trial.Owner == owner) return true;
            if (f.Trial.Status == RunStatus.Running && !Abandoned(f.Trial, f.Now, grace)) return false;
            using var update = Command(ReopenSql, ("@run_id", runId), ("@owner", owner), ("@trial_id", run.TrialId), ("@config_json", run.ConfigJson), ("@seed", run.Seed));
            return update.ExecuteNonQuery() == 1;
        });
    }

    public IReadOnlyList<TrialRecord> ListTrials(string? sweep = null) =>
        sweep == null
            ? ReadTrials($"{SelectTrialsSql} ORDER BY run_id")
            : ReadTrials($"{SelectTrialsSql} WHERE sweep = @sweep ORDER BY run_id", ("@sweep", sweep));

    public TrialRecord? GetTrial(long runId) => ReadTrials($"{SelectTrialsSql} WHERE run_id = @run_id", ("@run_id", runId)).SingleOrDefault();

    public RunListPage ListRuns(RunListQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new List<string>();
        var parameters = new List<(string, object?)>();
        if (query.Status is { } status) { where.Add("status = @status"); parameters.Add(("@status", status.ToText())); }
        if (query.Sweep is { } sweep)
        {
            where.Add(sweep.Length == 0 ? "sweep IS NULL" : "sweep = @sweep");
            if (sweep.Length > 0) parameters.Add(("@sweep", sweep));
        }
        if (!string.IsNullOrEmpty(query.Text))
        {
            // Settings are stored as a JSON list of [name, value] pairs: "lr=0.1, act=relu" is found there as lr","0.1"],["act","relu.
            string Like(string text) => "%" + text.ToLowerInvariant().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            string point = StoreRows.PointJson([new(query.Text, "")])[3..^6].Replace("=", "\",\"").Replace(", ", "\"],[\"");
            where.Add(@"(lower(trial_id) LIKE @text ESCAPE '\' OR lower(COALESCE(sweep, '')) LIKE @text ESCAPE '\'
                OR lower(COALESCE(error, '')) LIKE @text ESCAPE '\' OR lower(point) LIKE @point ESCAPE '\')");
            parameters.Add(("@text", Like(query.Text)));
            parameters.Add(("@point", Like(point)));
        }
        string filter = where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where);
        string column = query.Sort switch
        {
            RunListSort.Sweep => "sweep",
            RunListSort.TrialId => "trial_id",
            RunListSort.Status => "status",
            RunListSort.Settings => "point",
            RunListSort.TestAccuracy => "test_accuracy",
            RunListSort.BestValAccuracy => "best_val_accuracy",
            RunListSort.EpochsRun => "epochs_run",
            RunListSort.SecondsPerEpoch => "seconds_per_epoch",
            RunListSort.StartedAt => "started_at",
            _ => "run_id",
        };
        string dir = query.Descending ? "DESC" : "ASC";
        string collate = column is "sweep" or "trial_id" or "status" or "point" ? ByteOrder : "";
        string order = $" ORDER BY CASE WHEN {column} IS NULL THEN 0 ELSE 1 END {dir}, {column}{collate} {dir}, run_id {dir}";
        var page = parameters.Concat([("@limit", (object?)Math.Max(0, query.Limit)), ("@offset", Math.Max(0, query.Offset))]).ToArray();
        return Locked(() => Snapshot(() =>
        {
            int total;
            using (var count = Command($"SELECT COUNT(*) FROM trials{filter}", [.. parameters]))
                total = Convert.ToInt32(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            return new RunListPage(ReadTrialsLocked($"{SelectTrialsSql}{filter}{order} LIMIT @limit OFFSET @offset", page), total);
        }));
    }

    public IReadOnlyList<TrialRecord> FindTrials(string prefix) =>
        // substr rather than LIKE: trial ids are compared exactly, with no wildcard characters to escape.
        ReadTrials($"{SelectTrialsSql} WHERE substr(trial_id, 1, length(@prefix)) = @prefix ORDER BY run_id", ("@prefix", prefix));

    private List<TrialRecord> ReadTrials(string sql, params (string Name, object? Value)[] parameters) =>
        Locked(() => ReadTrialsLocked(sql, parameters));

    private protected List<TrialRecord> ReadTrialsLocked(string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(sql, parameters);
        using var reader = cmd.ExecuteReader();
        var trials = new List<TrialRecord>();
        while (reader.Read()) trials.Add(ReadTrial(reader));
        return trials;
    }

    private protected TrialRecord ReadTrial(DbDataReader r) => StoreRows.ReadTrial(r, ReadTime);

    public IReadOnlyList<TrialRecord> ReclaimAbandoned(string sweep, TimeSpan grace, int? maxAttempts = null)
    {
        return InWriteTransaction(() =>
        {
            var released = new List<long>();
            using (var interrupted = Command(ReleaseInterruptedSql, ("@sweep", sweep)))
            using (var reader = interrupted.ExecuteReader())
            {
                while (reader.Read()) released.Add(reader.GetInt64(0));
            }
            // Whether a process is alive is known only here, so the choice is made in C# with the rows locked.
            foreach (var (t, now) in LockRunning(sweep, grace))
            {
                if (!Abandoned(t, now, grace)) continue;
                using var cmd = t.Attempts >= maxAttempts
                    ? Command(GiveUpSql, ("@run_id", t.RunId), ("@owner", t.Owner), ("@error", StoreRows.AbandonedTooOften(t, maxAttempts.Value)))
                    : Command(ReleaseSql, ("@run_id", t.RunId), ("@owner", t.Owner));
                if (cmd.ExecuteNonQuery() == 1) released.Add(t.RunId);
            }
            return released.Select(id => ReadTrialsLocked($"{SelectTrialsSql} WHERE run_id = @run_id", ("@run_id", id)).Single()).ToList();
        });
    }

    public IReadOnlyList<TrialRecord> RetryFailed(string sweep) => InWriteTransaction(() =>
    {
        var ids = new List<long>();
        using (var retry = Command(RetryFailedSql, ("@sweep", sweep)))
        using (var reader = retry.ExecuteReader())
        {
            while (reader.Read()) ids.Add(reader.GetInt64(0));
        }
        return ids.Select(id => ReadTrialsLocked($"{SelectTrialsSql} WHERE run_id = @run_id", ("@run_id", id)).Single()).ToList();
    });

    /// <summary>No process works on the running trial any more: its heartbeat is older than the grace, or its holder on this host is gone.</summary>
    private static bool Abandoned(TrialRecord t, DateTime now, TimeSpan grace) =>
        t.Heartbeat is not { } beat || now - beat > grace || Owner.IsDeadOnThisHost(t.Owner);

    public TrialRecord? ClaimNext(string sweep, string owner, IReadOnlyCollection<string>? trialIds = null)
    {
        bool again = false;
        return InWriteTransaction(() =>
        {
            // Run again after a lost connection: the first claim may have committed with its answer lost on the way.
            if (Again(ref again) && RunningTrialOf(sweep, owner) is { } claimed) return claimed;
            return Claim(sweep, owner, trialIds);
        });
    }

    public TrialRecord? ClaimNew(string sweep, string owner, Func<IReadOnlyList<TrialHistory>, TrialDefinition?> suggest)
    {
        bool again = false;
        return InWriteTransaction(() =>
        {
            // Run again after a lost connection: the first suggestion may have committed with its answer lost on the way.
            if (Again(ref again) && RunningTrialOf(sweep, owner) is { } claimed) return claimed;
            // One suggestion of a sweep at a time: the row lock waits for another worker's suggestion to commit, and the
            // history read after it includes that worker's trial (SQLite: the write transaction already excludes the others).
            using (var serialize = Command($"SELECT name FROM sweeps WHERE name = @name{ForUpdate}", ("@name", sweep)))
                serialize.ExecuteScalar();
            if (suggest(ReadHistory(sweep)) is not { } trial) return null;
            long runId = InsertClaimed(trial, owner)
                ?? throw new Engine.FcnLabException($"Sweep '{sweep}' in {Location} already holds trial {trial.TrialId} (number {trial.Repeat}); its spec was changed under the same name. Give the changed search a new name.");
            return ReadTrialsLocked($"{SelectTrialsSql} WHERE run_id = @run_id", ("@run_id", runId)).Single();
        });
    }

    public IReadOnlyList<TrialHistory> GetHistory(string sweep) => Locked(() => ReadTransaction(() => ReadHistory(sweep)));

    private List<TrialHistory> ReadHistory(string sweep)
    {
        var trials = ReadTrialsLocked($"{SelectTrialsSql} WHERE sweep = @sweep ORDER BY run_id", ("@sweep", sweep));
        var epochs = trials.ToDictionary(t => t.RunId, _ => new List<EpochMetrics>());
        using (var cmd = Command($"SELECT {StoreRows.EpochColumns}, run_id FROM epochs WHERE run_id IN (SELECT run_id FROM trials WHERE sweep = @sweep) ORDER BY run_id, epoch", ("@sweep", sweep)))
        using (var reader = cmd.ExecuteReader())
        {
            while (reader.Read())
                if (epochs.TryGetValue(reader.GetInt64(7), out var list)) list.Add(StoreRows.ReadEpoch(reader));
        }
        return trials.Select(t => new TrialHistory(t, epochs[t.RunId])).ToList();
    }

    public bool Heartbeat(long runId, string owner) =>
        InWriteTransaction(() => HolderUpdate(HeartbeatSql, runId, owner));

    /// <summary>Also refreshes the heartbeat: a trial that reports an epoch is alive.</summary>
    public bool RecordEpoch(long runId, string owner, EpochMetrics metrics)
    {
        return InWriteTransaction(() =>
        {
            if (!HolderUpdate(HeartbeatSql, runId, owner)) return false;
            using var cmd = Command(UpsertEpochSql, StoreRows.EpochParameters(runId, metrics));
            cmd.ExecuteNonQuery();
            return true;
        });
    }

    public bool Complete(long runId, string owner, TrialOutcome outcome)
    {
        var summary = StoreRows.OutcomeParameters(outcome);
        bool again = false;
        return InWriteTransaction(() =>
        {
            if (Again(ref again) && Holds(runId, owner, outcome.Summary.Status)) return true;
            if (!HolderUpdate(CompleteSql, runId, owner, summary)) return false;
            // A trial completes once, but an earlier attempt's rows must never mix with this one's.
            using (var clear = Command("DELETE FROM misclassified WHERE run_id = @run_id", ("@run_id", runId)))
                clear.ExecuteNonQuery();
            InsertMisclassified(runId, outcome.Misclassified);
            return true;
        });
    }

    public bool Fail(long runId, string owner, string error)
    {
        bool again = false;
        return InWriteTransaction(() => (Again(ref again) && Holds(runId, owner, RunStatus.Failed)) || HolderUpdate(FailSql, runId, owner, ("@error", error)));
    }

    public bool Interrupt(long runId, string owner, string note)
    {
        bool again = false;
        return InWriteTransaction(() => (Again(ref again) && Holds(runId, owner, RunStatus.Interrupted)) || HolderUpdate(InterruptSql, runId, owner, ("@error", note)));
    }

    /// <summary>False the first time an operation's body runs, true when it runs again after a lost connection.</summary>
    private static bool Again(ref bool again)
    {
        bool was = again;
        again = true;
        return was;
    }

    /// <summary>
    /// After a lost connection: the row already ended as <paramref name="status"/> under this owner, so the first
    /// attempt committed and only its answer was lost (running it again would find no running row and report the
    /// trial taken over).
    /// </summary>
    private bool Holds(long runId, string owner, RunStatus status) =>
        ReadTrialsLocked($"{SelectTrialsSql} WHERE run_id = @run_id AND owner = @owner AND status = @status", ("@run_id", runId), ("@owner", owner), ("@status", status.ToText())).Count == 1;

    /// <summary>
    /// The sweep's trial running under <paramref name="owner"/>, if any. A process claims only when it holds no trial, so
    /// for a claim run again after a lost connection this is the first attempt's, committed: returned, never a second one.
    /// </summary>
    private TrialRecord? RunningTrialOf(string sweep, string owner) =>
        ReadTrialsLocked($"{SelectTrialsSql} WHERE sweep = @sweep AND owner = @owner AND status = 'running' ORDER BY run_id DESC LIMIT 1",
            ("@sweep", sweep), ("@owner", owner)).SingleOrDefault();

    /// <summary>One transaction: the holder's heartbeat, the position, the loss window and an ended epoch's metrics (see <see cref="IRunStore.PublishProgress"/>).</summary>
    public bool PublishProgress(long runId, string owner, ProgressPosition position, LossWindow? window, bool newAttempt, EpochMetrics? endedEpoch = null)
    {
        return InWriteTransaction(() =>
        {
            if (!HolderUpdate(HeartbeatSql, runId, owner)) return false;
            using (var cmd = Command(UpsertProgressSql, ("@run_id", runId), ("@epoch", position.Epoch), ("@epochs", position.Epochs), ("@step", position.Step),
                ("@steps", position.Steps), ("@running_loss", position.RunningLoss), ("@steps_per_second", position.StepsPerSecond)))
                cmd.ExecuteNonQuery();
            if (newAttempt)
            {
                // This attempt trains again every step after the one it started from.
                var (epoch, from) = window is { } w ? (w.Epoch, w.Step - w.Steps) : (position.Epoch, position.Step);
                using var drop = Command(DropLaterLossesSql, ("@run_id", runId), ("@epoch", epoch), ("@step", from));
                drop.ExecuteNonQuery();
            }
            if (window is { } loss)
            {
                using var cmd = Command(UpsertLossSql, ("@run_id", runId), ("@epoch", loss.Epoch), ("@step", loss.Step), ("@steps", loss.Steps), ("@loss", loss.Loss));
                cmd.ExecuteNonQuery();
            }
            if (endedEpoch is { } metrics)
            {
                using var cmd = Command(UpsertEpochSql, StoreRows.EpochParameters(runId, metrics));
                cmd.ExecuteNonQuery();
            }
            return true;
        });
    }

    public RunProgress? GetProgress(long runId, int afterEpoch = 0, int afterStep = 0)
    {
        // One snapshot: the position and the points come from the same commit.
        return Locked(() => Snapshot(() =>
        {
            ProgressPosition position;
            DateTime updatedAt;
            using (var cmd = Command("SELECT epoch, epochs, step, steps, running_loss, steps_per_second, updated_at FROM progress WHERE run_id = @run_id", ("@run_id", runId)))
            using (var r = cmd.ExecuteReader())
            {
                if (!r.Read()) return null;
                position = new ProgressPosition(r.GetInt32(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3), StoreRows.RequiredDouble(r, 4), StoreRows.NullableDouble(r, 5));
                updatedAt = ReadTime(r, 6);
            }
            var losses = new List<LossPoint>();
            using (var cmd = Command($"SELECT epoch, step, steps, loss, at FROM step_losses {ProgressAfterSql}", ("@run_id", runId), ("@epoch", afterEpoch), ("@step", afterStep)))
            using (var r = cmd.ExecuteReader())
            {
                while (r.Read()) losses.Add(new LossPoint(r.GetInt32(0), r.GetInt32(1), r.GetInt32(2), StoreRows.RequiredDouble(r, 3), ReadTime(r, 4)));
            }
            return new RunProgress(position, updatedAt, losses);
        }));
    }

    public IReadOnlyList<EpochMetrics> GetEpochs(long runId) => Locked(() =>
    {
        using var cmd = Command($"SELECT {StoreRows.EpochColumns} FROM epochs WHERE run_id = @run_id ORDER BY epoch", ("@run_id", runId));
        using var reader = cmd.ExecuteReader();
        var epochs = new List<EpochMetrics>();
        while (reader.Read()) epochs.Add(StoreRows.ReadEpoch(reader));
        return epochs;
    });

    public TrialOutcome? GetOutcome(long runId)
    {
        // One snapshot: the summary and its misclassified rows come from the same commit.
        return Locked(() => Snapshot(() =>
        {
            (RunSummary Summary, long[,]? Confusion, string[] ClassNames)? stored;
            using (var cmd = Command($"SELECT {StoreRows.TrialColumns}, class_names, confusion FROM trials WHERE run_id = @run_id", ("@run_id", runId)))
            using (var reader = cmd.ExecuteReader())
            {
                if (!reader.Read()) return null;
                stored = StoreRows.ReadOutcome(reader, runId, Location);
            }
            if (stored is not { } found) return null;
            var misclassified = new List<Misclassification>();
            using (var cmd = Command("SELECT test_index, true_class, predicted_class FROM misclassified WHERE run_id = @run_id ORDER BY test_index", ("@run_id", runId)))
            using (var reader = cmd.ExecuteReader())
            {
                while (reader.Read()) misclassified.Add(new Misclassification(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2)));
            }
            return new TrialOutcome(found.Summary, found.Confusion, found.ClassNames, misclassified);
        }));
    }

    public void Dispose()
    {
        lock (_gate) _connection.Dispose();
    }

    private T InWriteTransaction<T>(Func<T> body) => Locked(() => WriteTransaction(body));

    /// <summary>How long a lost connection is reconnected and the operation retried (a server restarting); zero: never.</summary>
    private protected virtual TimeSpan RetryFor => TimeSpan.Zero;

    /// <summary>The first wait before a lost connection is tried again; each next one doubles it, up to 5 s.</summary>
    private protected static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(250);

    private protected static TimeSpan NextBackoff(TimeSpan backoff) => TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));

    /// <summary>True when <paramref name="e"/> says the connection to the server was lost or refused, not that the statement was wrong.</summary>
    private protected virtual bool ConnectionLost(DbException e) => false;

    /// <summary>Told once when the connection is lost and the store starts trying again, and once when it is back (null: nobody).</summary>
    private protected Action<string>? Say { get; init; }

    /// <summary>
    /// Runs <paramref name="body"/> on the connection, one caller at a time. A lost connection is reopened and the
    /// operation run again, with backoff (0.25 s doubling to 5 s), for <see cref="RetryFor"/>; each operation is one
    /// transaction, so one that failed with the connection left nothing behind.
    /// </summary>
    private T Locked<T>(Func<T> body)
    {
        lock (_gate)
        {
            // Inside ReadConsistent: its snapshot is open on this connection; a lost connection is retried there, as a whole.
            if (_inSnapshot) return body();
            var waited = System.Diagnostics.Stopwatch.StartNew();
            var backoff = FirstBackoff;
            bool reopen = false, lost = false;
            while (true)
            {
                try
                {
                    if (reopen)
                    {
                        _connection.Close(); // a broken connection must be closed before it opens again
                        _connection.Open();
                        reopen = false;
                    }
                    T result = body();
                    if (lost) Say?.Invoke(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the run store {Location} is back after {waited.Elapsed.TotalSeconds:0.#} s; going on"));
                    return result;
                }
                catch (DbException e) when (ConnectionLost(e) && waited.Elapsed + backoff <= RetryFor)
                {
                    if (!lost) Say?.Invoke(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"lost the connection to the run store {Location} ({e.Message.TrimEnd('.')}); trying again for up to {RetryFor.TotalSeconds:0.###} s (--store-timeout)"));
                    lost = true;
                    Thread.Sleep(backoff);
                    backoff = NextBackoff(backoff);
                    reopen = true;
                }
                catch (DbException e) when (Translate(e) is { } translated)
                {
                    throw translated;
                }
            }
        }
    }

    public T ReadConsistent<T>(Func<IRunStore, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return Locked(() => Snapshot(() =>
        {
            bool outer = !_inSnapshot;
            _inSnapshot = true;
            try
            {
                return read(this);
            }
            finally
            {
                if (outer) _inSnapshot = false;
            }
        }));
    }

    /// <summary>A read on one snapshot: its own read transaction, or the one <see cref="ReadConsistent"/> holds. Called under the lock.</summary>
    private T Snapshot<T>(Func<T> body) => _inSnapshot ? body() : ReadTransaction(body);

    /// <summary>Runs a statement guarded by <see cref="HolderCondition"/>; true when the holder's row changed.</summary>
    private bool HolderUpdate(string sql, long runId, string owner, params (string Name, object? Value)[] more)
    {
        using var cmd = Command(sql, [("@run_id", runId), ("@owner", owner), .. more]);
        return cmd.ExecuteNonQuery() == 1;
    }
}
