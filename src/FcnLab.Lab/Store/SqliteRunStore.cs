using System.Globalization;
using System.Text;
using System.Text.Json;
using FcnLab.Engine;
using FcnLab.Engine.Training;
using FcnLab.Lab.Sweeps;
using Microsoft.Data.Sqlite;

namespace FcnLab.Lab.Store;

/// <summary>
/// The run store in one SQLite file (WAL journal, busy timeout), shared safely by several processes on one
/// machine. One connection per store object; calls are serialized on it, so a heartbeat timer may share
/// the store with the training thread. Every state change is one BEGIN IMMEDIATE transaction, so a claim
/// is atomic across processes and a killed process leaves every committed change behind.
/// </summary>
public sealed class SqliteRunStore : IRunStore
{
    /// <summary>The schema this build writes and reads (PRAGMA user_version).</summary>
    public const int SchemaVersion = 1;

    /// <summary>Where the CLI keeps the store unless told otherwise.</summary>
    public const string DefaultPath = "runs/fcnlab.db";

    private const int BusyTimeoutMs = 10_000;
    private const int SqliteNotADatabase = 26; // SQLITE_NOTADB

    private const string CreateSchemaSql = """
        CREATE TABLE sweeps (
            name        TEXT PRIMARY KEY,
            spec_text   TEXT NOT NULL,
            created_at  TEXT NOT NULL,
            updated_at  TEXT NOT NULL
        );
        -- sweep is not a foreign key to sweeps: trials may be recorded before (or without) a saved spec.
        -- UNIQUE(sweep, trial_id) holds for sweep trials only: SQLite treats NULL sweeps as distinct,
        -- so `fcnlab train` may record the same settings many times.
        CREATE TABLE trials (
            run_id                  INTEGER PRIMARY KEY AUTOINCREMENT,
            trial_id                TEXT NOT NULL,
            sweep                   TEXT NULL,
            point                   TEXT NOT NULL,
            repeat                  INTEGER NOT NULL,
            seed                    INTEGER NOT NULL,
            config_json             TEXT NOT NULL,
            run_dir                 TEXT NOT NULL,
            status                  TEXT NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'early-stopped', 'diverged', 'failed')),
            owner                   TEXT NULL,
            heartbeat               TEXT NULL,
            attempts                INTEGER NOT NULL DEFAULT 0,
            created_at              TEXT NOT NULL,
            started_at              TEXT NULL,
            finished_at             TEXT NULL,
            error                   TEXT NULL,
            test_accuracy           REAL NULL,
            test_loss               REAL NULL,
            start_val_accuracy      REAL NULL,
            best_val_accuracy       REAL NULL,
            best_val_epoch          INTEGER NULL,
            lowest_train_loss       REAL NULL,
            lowest_train_loss_epoch INTEGER NULL,
            epochs_run              INTEGER NULL,
            diverged_epoch          INTEGER NULL,
            diverged_step           INTEGER NULL,
            train_seconds           REAL NULL,
            seconds_per_epoch       REAL NULL,
            parameters              INTEGER NULL,
            class_names             TEXT NULL,
            confusion               TEXT NULL,
            UNIQUE (sweep, trial_id)
        );
        CREATE INDEX trials_by_status ON trials (sweep, status, run_id);
        CREATE INDEX trials_by_trial_id ON trials (trial_id);
        CREATE TABLE epochs (
            run_id          INTEGER NOT NULL REFERENCES trials (run_id) ON DELETE CASCADE,
            epoch           INTEGER NOT NULL,
            train_loss      REAL NULL,
            train_accuracy  REAL NULL,
            val_loss        REAL NULL,
            val_accuracy    REAL NULL,
            lr              REAL NULL,
            seconds         REAL NULL,
            PRIMARY KEY (run_id, epoch)
        );
        CREATE TABLE misclassified (
            run_id          INTEGER NOT NULL REFERENCES trials (run_id) ON DELETE CASCADE,
            test_index      INTEGER NOT NULL,
            true_class      INTEGER NOT NULL,
            predicted_class INTEGER NOT NULL,
            PRIMARY KEY (run_id, test_index)
        );
        """;

    private const string TrialColumns = """
        run_id, trial_id, sweep, point, repeat, seed, config_json, run_dir, status, owner, heartbeat, attempts,
        created_at, started_at, finished_at, error,
        test_accuracy, test_loss, start_val_accuracy, best_val_accuracy, best_val_epoch, lowest_train_loss,
        lowest_train_loss_epoch, epochs_run, diverged_epoch, diverged_step, train_seconds, seconds_per_epoch, parameters
        """;

    private const string UpsertSweepSql = """
        INSERT INTO sweeps (name, spec_text, created_at, updated_at) VALUES (@name, @spec, @now, @now)
        ON CONFLICT (name) DO UPDATE SET spec_text = excluded.spec_text, updated_at = excluded.updated_at
        """;

    private const string SelectSweepsSql = "SELECT name, spec_text, created_at, updated_at FROM sweeps";

    // @started_at also starts the heartbeat: set for a run recorded as running (StartRun), null for a pending trial.
    private const string InsertTrialSql = """
        INSERT INTO trials (trial_id, sweep, point, repeat, seed, config_json, run_dir, status, owner, heartbeat, attempts, created_at, started_at)
        VALUES (@trial_id, @sweep, @point, @repeat, @seed, @config_json, @run_dir, @status, @owner, @started_at, @attempts, @now, @started_at)
        ON CONFLICT (sweep, trial_id) DO NOTHING
        """;

    private const string SelectTrialsSql = $"SELECT {TrialColumns} FROM trials";

    private const string SelectRunningOfSweepSql = $"{SelectTrialsSql} WHERE sweep = @sweep AND status = 'running' ORDER BY run_id";

    private const string ReleaseSql = """
        UPDATE trials SET status = 'pending', owner = NULL, heartbeat = NULL
        WHERE run_id = @run_id AND status = 'running' AND owner IS @owner
        """;

    // The trial-id filter goes in as one JSON array, so any number of ids is one parameter.
    private const string ClaimSql = """
        UPDATE trials SET status = 'running', owner = @owner, heartbeat = @now, started_at = @now, attempts = attempts + 1
        WHERE run_id = (
            SELECT run_id FROM trials
            WHERE sweep = @sweep AND status = 'pending'
              AND (@ids IS NULL OR trial_id IN (SELECT value FROM json_each(@ids)))
            ORDER BY run_id LIMIT 1)
          AND status = 'pending'
        RETURNING run_id
        """;

    private const string HolderCondition = "run_id = @run_id AND owner = @owner AND status = 'running'";

    private const string HeartbeatSql = $"UPDATE trials SET heartbeat = @now WHERE {HolderCondition}";

    private const string UpsertEpochSql = """
        INSERT INTO epochs (run_id, epoch, train_loss, train_accuracy, val_loss, val_accuracy, lr, seconds)
        VALUES (@run_id, @epoch, @train_loss, @train_accuracy, @val_loss, @val_accuracy, @lr, @seconds)
        ON CONFLICT (run_id, epoch) DO UPDATE SET
            train_loss = excluded.train_loss, train_accuracy = excluded.train_accuracy,
            val_loss = excluded.val_loss, val_accuracy = excluded.val_accuracy,
            lr = excluded.lr, seconds = excluded.seconds
        """;

    private const string CompleteSql = $"""
        UPDATE trials SET status = @status, finished_at = @now, heartbeat = @now, error = NULL,
            test_accuracy = @test_accuracy, test_loss = @test_loss, start_val_accuracy = @start_val_accuracy,
            best_val_accuracy = @best_val_accuracy, best_val_epoch = @best_val_epoch,
            lowest_train_loss = @lowest_train_loss, lowest_train_loss_epoch = @lowest_train_loss_epoch,
            epochs_run = @epochs_run, diverged_epoch = @diverged_epoch, diverged_step = @diverged_step,
            train_seconds = @train_seconds, seconds_per_epoch = @seconds_per_epoch, parameters = @parameters,
            class_names = @class_names, confusion = @confusion
        WHERE {HolderCondition}
        """;

    private const string InsertMisclassifiedSql = """
        INSERT INTO misclassified (run_id, test_index, true_class, predicted_class)
        VALUES (@run_id, @test_index, @true_class, @predicted_class)
        """;

    private const string FailSql = $"UPDATE trials SET status = 'failed', finished_at = @now, heartbeat = @now, error = @error WHERE {HolderCondition}";

    private readonly SqliteConnection _connection;
    private readonly Func<DateTime> _utcNow;
    private readonly object _gate = new();

    private SqliteRunStore(string location, SqliteConnection connection, Func<DateTime> utcNow)
    {
        Location = location;
        _connection = connection;
        _utcNow = utcNow;
    }

    public string Location { get; }

    /// <summary>Opens (creating as needed) the store at <paramref name="path"/>.</summary>
    public static SqliteRunStore Open(string path) => Open(path, () => DateTime.UtcNow);

    /// <summary>SQLite's own check of the whole file ("ok" when intact), for tests that kill writers.</summary>
    internal string IntegrityCheck()
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "PRAGMA integrity_check";
            return string.Join("; ", ReadAll(command));
        }

        static IEnumerable<string> ReadAll(Microsoft.Data.Sqlite.SqliteCommand c)
        {
            var lines = new List<string>();
            using var reader = c.ExecuteReader();
            while (reader.Read()) lines.Add(reader.GetString(0));
            return lines;
        }
    }

    /// <summary>As <see cref="Open(string)"/> with a clock, so tests can age heartbeats without waiting.</summary>
    internal static SqliteRunStore Open(string path, Func<DateTime> utcNow)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new FcnLabException($"The run store path {full} is a directory; give the path of a database file inside it (e.g. {Path.Combine(full, "fcnlab.db")}).");
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FcnLabException($"Cannot create the directory for the run store {full}: {e.Message}. Choose a writable location.", e);
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // Pooling would keep the file open after Dispose; one store object owns one real connection.
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            Configure(connection, full);
            EnsureSchema(connection, full);
            return new SqliteRunStore(full, connection, utcNow);
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            if (e.SqliteErrorCode == SqliteNotADatabase)
                throw new FcnLabException($"The run store {full} is not a SQLite database. Move the file away or give another store path.", e);
            throw new FcnLabException($"Cannot open the run store {full}: {e.Message}", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static void Configure(SqliteConnection connection, string full)
    {
        // busy_timeout first: switching to WAL needs a lock another process may hold.
        Execute(connection, $"PRAGMA busy_timeout = {BusyTimeoutMs.ToString(CultureInfo.InvariantCulture)}");
        string mode = Convert.ToString(Scalar(connection, "PRAGMA journal_mode = WAL"), CultureInfo.InvariantCulture) ?? "";
        if (!mode.Equals("wal", StringComparison.OrdinalIgnoreCase))
            throw new FcnLabException($"The run store {full} cannot use SQLite's WAL journal (it stays in '{mode}' mode); keep the store on a local file system.");
        // FULL: every commit is on disk before the call returns, so a crash loses no reported epoch or result.
        Execute(connection, "PRAGMA synchronous = FULL");
        Execute(connection, "PRAGMA foreign_keys = ON");
    }

    private static void EnsureSchema(SqliteConnection connection, string full)
    {
        long version = Convert.ToInt64(Scalar(connection, "PRAGMA user_version"), CultureInfo.InvariantCulture);
        if (version == SchemaVersion) return;
        CheckNotNewer(version, full);
        // Two processes may open a new file at once: decide under the write lock.
        Execute(connection, "BEGIN IMMEDIATE");
        try
        {
            version = Convert.ToInt64(Scalar(connection, "PRAGMA user_version"), CultureInfo.InvariantCulture);
            CheckNotNewer(version, full);
            if (version == 0)
            {
                long tables = Convert.ToInt64(Scalar(connection, "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"), CultureInfo.InvariantCulture);
                if (tables > 0)
                    throw new FcnLabException($"The file {full} is a SQLite database but not an FcnLab run store (it has other tables and no FcnLab schema version). Give another store path.");
                Execute(connection, CreateSchemaSql);
                Execute(connection, $"PRAGMA user_version = {SchemaVersion.ToString(CultureInfo.InvariantCulture)}");
            }
            Execute(connection, "COMMIT");
        }
        catch
        {
            Rollback(connection);
            throw;
        }
    }

    private static void CheckNotNewer(long version, string full)
    {
        if (version > SchemaVersion)
            throw new FcnLabException($"The run store {full} has schema version {version.ToString(CultureInfo.InvariantCulture)}, but this build of FcnLab understands version {SchemaVersion.ToString(CultureInfo.InvariantCulture)} at most. Use a newer FcnLab with this store, or give another store path.");
    }

    public void SaveSweep(string name, string specText)
    {
        InWriteTransaction(() =>
        {
            using var cmd = Command(UpsertSweepSql, ("@name", name), ("@spec", specText), ("@now", Time(_utcNow())));
            return cmd.ExecuteNonQuery();
        });
    }

    public SweepRecord? GetSweep(string name) => ReadSweeps($"{SelectSweepsSql} WHERE name = @name", name).SingleOrDefault();

    public IReadOnlyList<SweepRecord> ListSweeps() => ReadSweeps($"{SelectSweepsSql} ORDER BY name", null);

    private List<SweepRecord> ReadSweeps(string sql, string? name)
    {
        lock (_gate)
        {
            using var cmd = Command(sql, ("@name", name));
            using var reader = cmd.ExecuteReader();
            var sweeps = new List<SweepRecord>();
            while (reader.Read())
                sweeps.Add(new SweepRecord(reader.GetString(0), reader.GetString(1), ParseTime(reader.GetString(2)), ParseTime(reader.GetString(3))));
            return sweeps;
        }
    }

    public int AddTrials(IEnumerable<TrialDefinition> trials)
    {
        var list = trials.ToList();
        if (list.Any(t => t.Sweep == null))
            throw new ArgumentException("AddTrials records sweep trials; a run outside any sweep goes through StartRun.", nameof(trials));
        return InWriteTransaction(() =>
        {
            string now = Time(_utcNow());
            int added = 0;
            foreach (var t in list)
            {
                using var cmd = InsertTrialCommand(t, TrialStatus.Pending, owner: null, now, attempts: 0);
                added += cmd.ExecuteNonQuery();
            }
            return added;
        });
    }

    public long StartRun(TrialDefinition run, string owner)
    {
        if (run.Sweep != null)
            throw new ArgumentException($"StartRun records a run outside any sweep, but this one belongs to sweep '{run.Sweep}'.", nameof(run));
        return InWriteTransaction(() =>
        {
            using var cmd = InsertTrialCommand(run, TrialStatus.Running, owner, Time(_utcNow()), attempts: 1);
            cmd.ExecuteNonQuery();
            using var id = Command("SELECT last_insert_rowid()");
            return Convert.ToInt64(id.ExecuteScalar(), CultureInfo.InvariantCulture);
        });
    }

    private SqliteCommand InsertTrialCommand(TrialDefinition t, string status, string? owner, string now, int attempts) =>
        Command(InsertTrialSql,
            ("@trial_id", t.TrialId), ("@sweep", t.Sweep), ("@point", PointJson(t.Point)), ("@repeat", t.Repeat),
            ("@seed", t.Seed), ("@config_json", t.ConfigJson), ("@run_dir", t.RunDir), ("@status", status),
            ("@owner", owner), ("@now", now), ("@attempts", attempts),
            ("@started_at", status == TrialStatus.Running ? now : null));

    public IReadOnlyList<TrialRecord> ListTrials(string? sweep = null) =>
        sweep == null
            ? ReadTrials($"{SelectTrialsSql} ORDER BY run_id")
            : ReadTrials($"{SelectTrialsSql} WHERE sweep = @sweep ORDER BY run_id", ("@sweep", sweep));

    public TrialRecord? GetTrial(long runId) => ReadTrials($"{SelectTrialsSql} WHERE run_id = @run_id", ("@run_id", runId)).SingleOrDefault();

    public IReadOnlyList<TrialRecord> FindTrials(string prefix) =>
        // substr rather than LIKE: trial ids are compared exactly, with no wildcard characters to escape.
        ReadTrials($"{SelectTrialsSql} WHERE substr(trial_id, 1, length(@prefix)) = @prefix ORDER BY run_id", ("@prefix", prefix));

    private List<TrialRecord> ReadTrials(string sql, params (string Name, object? Value)[] parameters)
    {
        lock (_gate) return ReadTrialsLocked(sql, parameters);
    }

    private List<TrialRecord> ReadTrialsLocked(string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(sql, parameters);
        using var reader = cmd.ExecuteReader();
        var trials = new List<TrialRecord>();
        while (reader.Read()) trials.Add(ReadTrial(reader));
        return trials;
    }

    public IReadOnlyList<TrialRecord> ReclaimAbandoned(string sweep, TimeSpan grace)
    {
        return InWriteTransaction(() =>
        {
            DateTime now = _utcNow();
            var released = new List<long>();
            // Whether a process is alive is known only here, so the choice is made in C# under the write lock.
            foreach (var t in ReadTrialsLocked(SelectRunningOfSweepSql, ("@sweep", sweep)))
            {
                bool stale = t.Heartbeat is not { } beat || now - beat > grace;
                if (!stale && !Owner.IsDeadOnThisHost(t.Owner)) continue;
                using var cmd = Command(ReleaseSql, ("@run_id", t.RunId), ("@owner", t.Owner));
                if (cmd.ExecuteNonQuery() == 1) released.Add(t.RunId);
            }
            return released.Select(id => ReadTrialsLocked($"{SelectTrialsSql} WHERE run_id = @run_id", ("@run_id", id)).Single()).ToList();
        });
    }

    public TrialRecord? ClaimNext(string sweep, string owner, IReadOnlyCollection<string>? trialIds = null)
    {
        string? ids = trialIds == null ? null : JsonSerializer.Serialize(trialIds);
        return InWriteTransaction(() =>
        {
            long? runId;
            using (var cmd = Command(ClaimSql, ("@owner", owner), ("@now", Time(_utcNow())), ("@sweep", sweep), ("@ids", ids)))
                runId = cmd.ExecuteScalar() is { } id ? Convert.ToInt64(id, CultureInfo.InvariantCulture) : null;
            return runId is { } claimed
                ? ReadTrialsLocked($"{SelectTrialsSql} WHERE run_id = @run_id", ("@run_id", claimed)).Single()
                : null;
        });
    }

    public bool Heartbeat(long runId, string owner) =>
        InWriteTransaction(() => HolderUpdate(HeartbeatSql, runId, owner));

    /// <summary>Also refreshes the heartbeat: a trial that reports an epoch is alive.</summary>
    public bool RecordEpoch(long runId, string owner, EpochMetrics metrics)
    {
        return InWriteTransaction(() =>
        {
            if (!HolderUpdate(HeartbeatSql, runId, owner)) return false;
            using var cmd = Command(UpsertEpochSql,
                ("@run_id", runId), ("@epoch", metrics.Epoch), ("@train_loss", metrics.TrainLoss),
                ("@train_accuracy", metrics.TrainAccuracy), ("@val_loss", metrics.ValLoss), ("@val_accuracy", metrics.ValAccuracy),
                ("@lr", metrics.Lr), ("@seconds", metrics.Seconds));
            cmd.ExecuteNonQuery();
            return true;
        });
    }

    public bool Complete(long runId, string owner, TrialOutcome outcome)
    {
        var s = outcome.Summary;
        if (s.Status is not (TrialStatus.Completed or TrialStatus.EarlyStopped or TrialStatus.Diverged))
            throw new ArgumentException($"A completed trial's summary status must be {TrialStatus.Completed}, {TrialStatus.EarlyStopped} or {TrialStatus.Diverged}, not '{s.Status}'.", nameof(outcome));
        return InWriteTransaction(() =>
        {
            bool held = HolderUpdate(CompleteSql, runId, owner,
                ("@status", s.Status), ("@test_accuracy", s.TestAccuracy), ("@test_loss", s.TestLoss),
                ("@start_val_accuracy", s.StartValAccuracy), ("@best_val_accuracy", s.BestValAccuracy), ("@best_val_epoch", s.BestValEpoch),
                ("@lowest_train_loss", s.LowestTrainLoss), ("@lowest_train_loss_epoch", s.LowestTrainLossEpoch),
                ("@epochs_run", s.EpochsRun), ("@diverged_epoch", s.DivergedEpoch), ("@diverged_step", s.DivergedStep),
                ("@train_seconds", s.TrainSeconds), ("@seconds_per_epoch", s.SecondsPerEpoch), ("@parameters", s.Parameters),
                ("@class_names", JsonSerializer.Serialize(outcome.ClassNames)), ("@confusion", ConfusionJson(outcome.Confusion)));
            if (!held) return false;
            // A trial completes once, but an earlier attempt's rows must never mix with this one's.
            using (var clear = Command("DELETE FROM misclassified WHERE run_id = @run_id", ("@run_id", runId)))
                clear.ExecuteNonQuery();
            using var insert = Command(InsertMisclassifiedSql, ("@run_id", runId), ("@test_index", 0), ("@true_class", 0), ("@predicted_class", 0));
            foreach (var m in outcome.Misclassified)
            {
                insert.Parameters["@test_index"].Value = m.Index;
                insert.Parameters["@true_class"].Value = m.TrueClass;
                insert.Parameters["@predicted_class"].Value = m.PredictedClass;
                insert.ExecuteNonQuery();
            }
            return true;
        });
    }

    public bool Fail(long runId, string owner, string error) =>
        InWriteTransaction(() => HolderUpdate(FailSql, runId, owner, ("@error", error)));

    public IReadOnlyList<EpochMetrics> GetEpochs(long runId)
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT epoch, train_loss, train_accuracy, val_loss, val_accuracy, lr, seconds FROM epochs WHERE run_id = @run_id ORDER BY epoch", ("@run_id", runId));
            using var reader = cmd.ExecuteReader();
            var epochs = new List<EpochMetrics>();
            while (reader.Read())
                epochs.Add(new EpochMetrics(reader.GetInt32(0), RequiredDouble(reader, 1), RequiredDouble(reader, 2),
                    NullableDouble(reader, 3), NullableDouble(reader, 4), RequiredDouble(reader, 5), RequiredDouble(reader, 6)));
            return epochs;
        }
    }

    public TrialOutcome? GetOutcome(long runId)
    {
        lock (_gate)
        {
            // One read transaction: the summary and its misclassified rows come from the same commit.
            Execute(_connection, "BEGIN");
            try
            {
                RunSummary? summary;
                string? classNames, confusion;
                using (var cmd = Command($"SELECT {TrialColumns}, class_names, confusion FROM trials WHERE run_id = @run_id", ("@run_id", runId)))
                using (var reader = cmd.ExecuteReader())
                {
                    if (!reader.Read()) return null;
                    summary = ReadSummary(reader);
                    classNames = reader.IsDBNull(reader.GetOrdinal("class_names")) ? null : reader.GetString(reader.GetOrdinal("class_names"));
                    confusion = reader.IsDBNull(reader.GetOrdinal("confusion")) ? null : reader.GetString(reader.GetOrdinal("confusion"));
                }
                if (summary == null) return null;
                var misclassified = new List<Misclassification>();
                using (var cmd = Command("SELECT test_index, true_class, predicted_class FROM misclassified WHERE run_id = @run_id ORDER BY test_index", ("@run_id", runId)))
                using (var reader = cmd.ExecuteReader())
                {
                    while (reader.Read()) misclassified.Add(new Misclassification(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2)));
                }
                var names = classNames == null ? [] : JsonSerializer.Deserialize<string[]>(classNames) ?? [];
                return new TrialOutcome(summary, ParseConfusion(confusion, runId), names, misclassified);
            }
            finally
            {
                Execute(_connection, "COMMIT");
            }
        }
    }

    public void Dispose()
    {
        lock (_gate) _connection.Dispose();
    }

    /// <summary>Runs <paramref name="body"/> inside BEGIN IMMEDIATE (the database's write lock) and commits; rolls back on any exception.</summary>
    private T InWriteTransaction<T>(Func<T> body)
    {
        lock (_gate)
        {
            Execute(_connection, "BEGIN IMMEDIATE");
            T result;
            try
            {
                result = body();
            }
            catch
            {
                Rollback(_connection);
                throw;
            }
            Execute(_connection, "COMMIT");
            return result;
        }
    }

    private static void Rollback(SqliteConnection connection)
    {
        try
        {
            Execute(connection, "ROLLBACK");
        }
        catch (SqliteException)
        {
            // SQLite already rolled back (some errors end the transaction themselves); keep the original error.
        }
    }

    /// <summary>Runs a statement guarded by <see cref="HolderCondition"/> (with @now, @run_id and @owner); true when the holder's row changed.</summary>
    private bool HolderUpdate(string sql, long runId, string owner, params (string Name, object? Value)[] more)
    {
        using var cmd = Command(sql, [("@run_id", runId), ("@owner", owner), ("@now", Time(_utcNow())), .. more]);
        return cmd.ExecuteNonQuery() == 1;
    }

    private SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        // SQLite has no NaN (Microsoft.Data.Sqlite refuses to bind one): it goes in as NULL; see RequiredDouble.
        foreach (var (name, value) in parameters)
            cmd.Parameters.AddWithValue(name, value is null or double.NaN ? DBNull.Value : value);
        return cmd;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    private static TrialRecord ReadTrial(SqliteDataReader r) => new()
    {
        RunId = r.GetInt64(r.GetOrdinal("run_id")),
        Definition = new TrialDefinition
        {
            TrialId = r.GetString(r.GetOrdinal("trial_id")),
            Sweep = NullableString(r, "sweep"),
            Point = ParsePoint(r.GetString(r.GetOrdinal("point"))),
            Repeat = r.GetInt32(r.GetOrdinal("repeat")),
            Seed = r.GetInt64(r.GetOrdinal("seed")),
            ConfigJson = r.GetString(r.GetOrdinal("config_json")),
            RunDir = r.GetString(r.GetOrdinal("run_dir")),
        },
        Status = r.GetString(r.GetOrdinal("status")),
        Owner = NullableString(r, "owner"),
        Heartbeat = NullableTime(r, "heartbeat"),
        Attempts = r.GetInt32(r.GetOrdinal("attempts")),
        CreatedAt = ParseTime(r.GetString(r.GetOrdinal("created_at"))),
        StartedAt = NullableTime(r, "started_at"),
        FinishedAt = NullableTime(r, "finished_at"),
        Error = NullableString(r, "error"),
        Summary = ReadSummary(r),
    };

    /// <summary>The summary columns of a trial that finished with results; null for any other status.</summary>
    private static RunSummary? ReadSummary(SqliteDataReader r)
    {
        string status = r.GetString(r.GetOrdinal("status"));
        if (status is not (TrialStatus.Completed or TrialStatus.EarlyStopped or TrialStatus.Diverged)) return null;
        return new RunSummary
        {
            Status = status,
            TestAccuracy = NullableDouble(r, r.GetOrdinal("test_accuracy")),
            TestLoss = NullableDouble(r, r.GetOrdinal("test_loss")),
            StartValAccuracy = NullableDouble(r, r.GetOrdinal("start_val_accuracy")),
            BestValAccuracy = NullableDouble(r, r.GetOrdinal("best_val_accuracy")),
            BestValEpoch = NullableInt(r, "best_val_epoch"),
            LowestTrainLoss = NullableDouble(r, r.GetOrdinal("lowest_train_loss")),
            LowestTrainLossEpoch = NullableInt(r, "lowest_train_loss_epoch"),
            EpochsRun = r.GetInt32(r.GetOrdinal("epochs_run")),
            DivergedEpoch = NullableInt(r, "diverged_epoch"),
            DivergedStep = NullableInt(r, "diverged_step"),
            TrainSeconds = RequiredDouble(r, r.GetOrdinal("train_seconds")),
            SecondsPerEpoch = RequiredDouble(r, r.GetOrdinal("seconds_per_epoch")),
            Parameters = r.GetInt64(r.GetOrdinal("parameters")),
        };
    }

    // A NaN is stored as NULL (see Command). A field that cannot be null therefore reads a NULL back as NaN;
    // a nullable field reads it as null, as summary.json writes a NaN.
    private static double RequiredDouble(SqliteDataReader r, int i) => r.IsDBNull(i) ? double.NaN : r.GetDouble(i);

    private static double? NullableDouble(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);

    private static int? NullableInt(SqliteDataReader r, string column)
    {
        int i = r.GetOrdinal(column);
        return r.IsDBNull(i) ? null : r.GetInt32(i);
    }

    private static string? NullableString(SqliteDataReader r, string column)
    {
        int i = r.GetOrdinal(column);
        return r.IsDBNull(i) ? null : r.GetString(i);
    }

    private static DateTime? NullableTime(SqliteDataReader r, string column) =>
        NullableString(r, column) is { } text ? ParseTime(text) : null;

    /// <summary>UTC as fixed-width ISO-8601 with 100 ns digits: readable in the sqlite3 shell, sorts as text, round-trips exactly.</summary>
    private static string Time(DateTime utc) =>
        utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static DateTime ParseTime(string text) =>
        DateTime.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    /// <summary>The grid point as an ordered JSON list of [name, value] pairs (an object would not promise order).</summary>
    private static string PointJson(IReadOnlyList<KeyValuePair<string, string>> point) =>
        JsonSerializer.Serialize(point.Select(p => new[] { p.Key, p.Value }));

    private static List<KeyValuePair<string, string>> ParsePoint(string json) =>
        (JsonSerializer.Deserialize<string[][]>(json) ?? []).Select(p => new KeyValuePair<string, string>(p[0], p[1])).ToList();

    /// <summary>The matrix as {"rows":R,"columns":C,"counts":[row-major]}: the shape survives even with no rows.</summary>
    private static string? ConfusionJson(long[,]? confusion)
    {
        if (confusion == null) return null;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{{\"rows\":{confusion.GetLength(0)},\"columns\":{confusion.GetLength(1)},\"counts\":[");
        bool first = true;
        foreach (long count in confusion)
        {
            if (!first) sb.Append(',');
            sb.Append(count.ToString(CultureInfo.InvariantCulture));
            first = false;
        }
        return sb.Append("]}").ToString();
    }

    private long[,]? ParseConfusion(string? json, long runId)
    {
        if (json == null) return null;
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        int rows = root.GetProperty("rows").GetInt32(), columns = root.GetProperty("columns").GetInt32();
        var counts = root.GetProperty("counts");
        if (counts.GetArrayLength() != rows * columns)
            throw new FcnLabException($"The confusion matrix of run {runId.ToString(CultureInfo.InvariantCulture)} in the run store {Location} is damaged ({counts.GetArrayLength().ToString(CultureInfo.InvariantCulture)} counts for {rows.ToString(CultureInfo.InvariantCulture)}x{columns.ToString(CultureInfo.InvariantCulture)}).");
        var matrix = new long[rows, columns];
        int k = 0;
        foreach (var c in counts.EnumerateArray())
        {
            matrix[k / columns, k % columns] = c.GetInt64();
            k++;
        }
        return matrix;
    }
}
