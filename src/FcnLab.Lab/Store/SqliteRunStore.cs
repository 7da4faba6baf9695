using System.Data.Common;
using System.Globalization;
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
public sealed class SqliteRunStore : SqlRunStore
{
    /// <summary>The schema this build writes and reads (PRAGMA user_version; see <see cref="SqliteSchema"/>).</summary>
    public const int SchemaVersion = SqliteSchema.Version;

    /// <summary>Where the CLI keeps the store unless told otherwise.</summary>
    public const string DefaultPath = "runs/fcnlab.db";

    /// <summary>How long a store locked by another process is waited for unless --store-timeout says otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private const int SqliteBusy = 5, SqliteLocked = 6, SqliteReadOnly = 8, SqliteCantOpen = 14; // SQLITE_BUSY, _LOCKED, _READONLY, _CANTOPEN
    private const int SqliteNotADatabase = 26; // SQLITE_NOTADB

    // @started_at also starts the heartbeat: set for a run recorded as running (StartRun), null for a pending trial.
    private const string InsertTrialSql = """
        INSERT INTO trials (trial_id, sweep, point, repeat, seed, config_json, run_dir, status, owner, heartbeat, attempts, created_at, started_at)
        VALUES (@trial_id, @sweep, @point, @repeat, @seed, @config_json, @run_dir, @status, @owner, @started_at, @attempts, @now, @started_at)
        ON CONFLICT (sweep, trial_id) DO NOTHING
        """;

    private const string SelectRunningOfSweepSql = $"{SelectTrialsSql} WHERE sweep = @sweep AND status = 'running' ORDER BY run_id";

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

    private const string InsertMisclassifiedSql = """
        INSERT INTO misclassified (run_id, test_index, true_class, predicted_class)
        VALUES (@run_id, @test_index, @true_class, @predicted_class)
        """;

    private readonly SqliteConnection _connection;
    private readonly Func<DateTime> _utcNow;
    private readonly TimeSpan _timeout;

    private SqliteRunStore(string location, SqliteConnection connection, Func<DateTime> utcNow, TimeSpan timeout) : base(location, connection)
    {
        _connection = connection;
        _utcNow = utcNow;
        _timeout = timeout;
    }

    /// <summary>Opens (creating as needed) the store at <paramref name="path"/>, waiting up to <paramref name="timeout"/> (default 30 s) while another process holds its lock.</summary>
    public static SqliteRunStore Open(string path, TimeSpan? timeout = null) => Open(path, () => DateTime.UtcNow, timeout);

    /// <summary>
    /// Opens the existing store at <paramref name="path"/> to read it (`runs`, `show`, `status`, `report`): a missing
    /// file is an error and nothing is created; a store on a read-only file system, or in a directory this user cannot
    /// write, is opened read-only (as it was last closed: SQLite cannot see a journal it may not share).
    /// </summary>
    public static SqliteRunStore OpenToRead(string path, TimeSpan? timeout = null)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new FcnLabException(Directory.Exists(full)
                ? $"The run store path {full} is a directory; give the path of a database file inside it (e.g. {Path.Combine(full, "fcnlab.db")})."
                : $"No run store at {full}: nothing has been recorded there (reading does not create one). Give the store with --store PATH or ${RunStores.EnvironmentVariable}.");
        try
        {
            return Open(full, () => DateTime.UtcNow, timeout);
        }
        catch (FcnLabException e) when (e.InnerException is SqliteException { SqliteErrorCode: SqliteReadOnly or SqliteCantOpen })
        {
            return OpenReadOnly(full, timeout ?? DefaultTimeout);
        }
    }

    /// <summary>The store read as it stands on a file system that cannot be written: immutable, so SQLite takes no lock and writes no journal.</summary>
    private static SqliteRunStore OpenReadOnly(string full, TimeSpan timeout)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = new Uri(full).AbsoluteUri + "?immutable=1",
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(timeout.TotalSeconds),
        }.ToString());
        try
        {
            connection.Open();
            long version = Convert.ToInt64(SqliteSchema.Scalar(connection, "PRAGMA user_version"), CultureInfo.InvariantCulture);
            if (version != SqliteSchema.Version)
                throw new FcnLabException($"The run store {full} is read-only here and has schema version {version.ToString(CultureInfo.InvariantCulture)}; this FcnLab reads version {SqliteSchema.Version.ToString(CultureInfo.InvariantCulture)}. Copy it to a writable place (FcnLab upgrades it there) and read the copy.");
            return new SqliteRunStore(full, connection, () => DateTime.UtcNow, timeout);
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new FcnLabException($"Cannot read the run store {full}: {e.Message}", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>SQLite's own check of the whole file ("ok" when intact), for tests that kill writers.</summary>
    internal string IntegrityCheck() => ReadTransaction(() =>
    {
        using var command = Command("PRAGMA integrity_check");
        using var reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read()) lines.Add(reader.GetString(0));
        return string.Join("; ", lines);
    });

    /// <summary>As <see cref="Open(string)"/> with a clock, so tests can age heartbeats without waiting.</summary>
    internal static SqliteRunStore Open(string path, Func<DateTime> utcNow, TimeSpan? timeout = null)
    {
        var wait = timeout ?? DefaultTimeout;
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
            // Microsoft.Data.Sqlite retries a busy statement this long (in whole seconds), on top of SQLite's busy_timeout.
            DefaultTimeout = (int)Math.Ceiling(wait.TotalSeconds),
        }.ToString());
        try
        {
            connection.Open();
            Configure(connection, full, wait);
            SqliteSchema.Ensure(connection, full);
            return new SqliteRunStore(full, connection, utcNow, wait);
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            if (e.SqliteErrorCode == SqliteNotADatabase)
                throw new FcnLabException($"The run store {full} is not a SQLite database. Move the file away or give another store path.", e);
            if (e.SqliteErrorCode is SqliteBusy or SqliteLocked) throw Busy(full, wait, e);
            if (e.SqliteErrorCode is SqliteReadOnly or SqliteCantOpen)
                throw new FcnLabException($"Cannot write the run store {full}: it is on a read-only file system, or this user may not write it or its directory. Give a writable store with --store PATH (`runs`, `show`, `status` and `report` can still read this one).", e);
            throw new FcnLabException($"Cannot open the run store {full}: {e.Message}", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>The store stayed locked by another process for the whole wait: not the run's fault, and worth trying again.</summary>
    private static RunStoreException Busy(string full, TimeSpan waited, Exception e) => new(
        $"The run store {full} is locked by another process; waited {waited.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s for it. Try again when that process is done, or wait longer with --store-timeout SECONDS.", e);

    private protected override Exception? Translate(System.Data.Common.DbException e) =>
        e is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked } ? Busy(Location, _timeout, e) : null;

    private static void Configure(SqliteConnection connection, string full, TimeSpan wait)
    {
        // busy_timeout first: switching to WAL needs a lock another process may hold.
        SqliteSchema.Execute(connection, $"PRAGMA busy_timeout = {((long)wait.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)}");
        string mode = Convert.ToString(SqliteSchema.Scalar(connection, "PRAGMA journal_mode = WAL"), CultureInfo.InvariantCulture) ?? "";
        if (!mode.Equals("wal", StringComparison.OrdinalIgnoreCase))
            throw new FcnLabException($"The run store {full} cannot use SQLite's WAL journal (it stays in '{mode}' mode); keep the store on a local file system.");
        // FULL: every commit is on disk before the call returns, so a crash loses no reported epoch or result.
        SqliteSchema.Execute(connection, "PRAGMA synchronous = FULL");
        SqliteSchema.Execute(connection, "PRAGMA foreign_keys = ON");
    }

    private protected override string Now => "@now";
    private protected override string OwnerIs => "owner IS @owner";

    private protected override int InsertTrials(IReadOnlyList<TrialDefinition> trials)
    {
        string now = Time(_utcNow());
        int added = 0;
        foreach (var t in trials)
        {
            using var cmd = InsertTrialCommand(t, RunStatus.Pending, owner: null, now, attempts: 0);
            added += cmd.ExecuteNonQuery();
        }
        return added;
    }

    private protected override long InsertRun(TrialDefinition run, string owner)
    {
        using var cmd = InsertTrialCommand(run, RunStatus.Running, owner, Time(_utcNow()), attempts: 1);
        cmd.ExecuteNonQuery();
        using var id = Command("SELECT last_insert_rowid()");
        return Convert.ToInt64(id.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private protected override long? InsertClaimed(TrialDefinition trial, string owner)
    {
        using var cmd = InsertTrialCommand(trial, RunStatus.Running, owner, Time(_utcNow()), attempts: 1);
        if (cmd.ExecuteNonQuery() == 0) return null; // ON CONFLICT DO NOTHING: the sweep has this trial id
        using var id = Command("SELECT last_insert_rowid()");
        return Convert.ToInt64(id.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private SqliteCommand InsertTrialCommand(TrialDefinition t, RunStatus status, string? owner, string now, int attempts) =>
        Command(InsertTrialSql,
            ("@trial_id", t.TrialId), ("@sweep", t.Sweep), ("@point", StoreRows.PointJson(t.Point)), ("@repeat", t.Repeat),
            ("@seed", t.Seed), ("@config_json", t.ConfigJson), ("@run_dir", t.RunDir), ("@status", status.ToText()),
            ("@owner", owner), ("@now", now), ("@attempts", attempts),
            ("@started_at", status == RunStatus.Running ? now : null));

    private protected override List<(TrialRecord Trial, DateTime Now)> LockRunning(string sweep, TimeSpan grace)
    {
        // BEGIN IMMEDIATE already holds the whole database's write lock; one machine's running trials are few, so all of them.
        DateTime now = _utcNow();
        return ReadTrialsLocked(SelectRunningOfSweepSql, ("@sweep", sweep)).Select(t => (t, now)).ToList();
    }

    private protected override TrialRecord? Claim(string sweep, string owner, IReadOnlyCollection<string>? trialIds)
    {
        string? ids = trialIds == null ? null : JsonSerializer.Serialize(trialIds);
        long? runId;
        using (var cmd = Command(ClaimSql, ("@owner", owner), ("@sweep", sweep), ("@ids", ids)))
            runId = cmd.ExecuteScalar() is { } id ? Convert.ToInt64(id, CultureInfo.InvariantCulture) : null;
        return runId is { } claimed
            ? ReadTrialsLocked($"{SelectTrialsSql} WHERE run_id = @run_id", ("@run_id", claimed)).Single()
            : null;
    }

    private protected override void InsertMisclassified(long runId, IReadOnlyList<Misclassification> misclassified)
    {
        using var insert = Command(InsertMisclassifiedSql, ("@run_id", runId), ("@test_index", 0), ("@true_class", 0), ("@predicted_class", 0));
        foreach (var m in misclassified)
        {
            insert.Parameters["@test_index"].Value = m.Index;
            insert.Parameters["@true_class"].Value = m.TrueClass;
            insert.Parameters["@predicted_class"].Value = m.PredictedClass;
            insert.ExecuteNonQuery();
        }
    }

    /// <summary>Runs <paramref name="body"/> inside BEGIN IMMEDIATE (the database's write lock) and commits; rolls back on any exception.</summary>
    private protected override T WriteTransaction<T>(Func<T> body)
    {
        SqliteSchema.Execute(_connection, "BEGIN IMMEDIATE");
        T result;
        try
        {
            result = body();
        }
        catch
        {
            SqliteSchema.Rollback(_connection);
            throw;
        }
        SqliteSchema.Execute(_connection, "COMMIT");
        return result;
    }

    private protected override T ReadTransaction<T>(Func<T> body)
    {
        SqliteSchema.Execute(_connection, "BEGIN");
        try
        {
            return body();
        }
        finally
        {
            SqliteSchema.Execute(_connection, "COMMIT");
        }
    }

    private protected override SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        // SQLite has no NaN (Microsoft.Data.Sqlite refuses to bind one): it goes in as NULL; see StoreRows.RequiredDouble.
        foreach (var (name, value) in parameters)
            cmd.Parameters.AddWithValue(name, StoreRows.DbValue(value));
        if (sql.Contains("@now", StringComparison.Ordinal) && !cmd.Parameters.Contains("@now"))
            cmd.Parameters.AddWithValue("@now", Time(_utcNow()));
        return cmd;
    }

    private protected override DateTime ReadTime(DbDataReader r, int i) => ParseTime(r.GetString(i));

    /// <summary>UTC as fixed-width ISO-8601 with 100 ns digits: readable in the sqlite3 shell, sorts as text, round-trips exactly.</summary>
    private static string Time(DateTime utc) =>
        utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static DateTime ParseTime(string text) =>
        DateTime.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
