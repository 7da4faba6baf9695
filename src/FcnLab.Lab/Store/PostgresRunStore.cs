using System.Data;
using System.Data.Common;
using System.Globalization;
using FcnLab.Engine;
using FcnLab.Engine.Training;
using FcnLab.Lab.Sweeps;
using Npgsql;
using NpgsqlTypes;

namespace FcnLab.Lab.Store;

/// <summary>
/// The run store on a PostgreSQL server, shared by workers on many machines. It keeps the SQLite store's
/// tables, columns and meaning (<see cref="SqliteRunStore"/>), in the connection's current schema. One
/// connection per store object; calls are serialized on it, so a heartbeat timer may share it with the
/// training thread. Every state change is one transaction; a claim takes the lowest pending row with
/// SELECT ... FOR UPDATE SKIP LOCKED, so concurrent workers never wait on each other or take the same trial.
/// Times come from the server's clock (one clock for every machine, so a skewed worker clock cannot make a
/// live holder look dead), except in tests, which pass their own.
/// </summary>
public sealed class PostgresRunStore : SqlRunStore
{
    /// <summary>The schema this build writes and reads (the row of table fcnlab_schema).</summary>
    public const int SchemaVersion = 1;

    // Serializes schema creation across processes opening a new database at once (any constant will do).
    private const long SchemaLockKey = 0x46636E4C6162;

    private const string CreateSchemaSql = """
        CREATE TABLE fcnlab_schema (version integer NOT NULL);
        CREATE TABLE sweeps (
            name        text PRIMARY KEY,
            spec_text   text NOT NULL,
            created_at  timestamptz NOT NULL,
            updated_at  timestamptz NOT NULL
        );
        -- As in SQLite: sweep is not a foreign key, and UNIQUE (sweep, trial_id) treats NULL sweeps
        -- (runs of `fcnlab train`) as distinct.
        CREATE TABLE trials (
            run_id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            trial_id                text NOT NULL,
            sweep                   text NULL,
            point                   text NOT NULL,
            repeat                  integer NOT NULL,
            seed                    bigint NOT NULL,
            config_json             text NOT NULL,
            run_dir                 text NOT NULL,
            status                  text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'early-stopped', 'diverged', 'failed')),
            owner                   text NULL,
            heartbeat               timestamptz NULL,
            attempts                integer NOT NULL DEFAULT 0,
            created_at              timestamptz NOT NULL,
            started_at              timestamptz NULL,
            finished_at             timestamptz NULL,
            error                   text NULL,
            test_accuracy           double precision NULL,
            test_loss               double precision NULL,
            start_val_accuracy      double precision NULL,
            best_val_accuracy       double precision NULL,
            best_val_epoch          integer NULL,
            lowest_train_loss       double precision NULL,
            lowest_train_loss_epoch integer NULL,
            epochs_run              integer NULL,
            diverged_epoch          integer NULL,
            diverged_step           integer NULL,
            train_seconds           double precision NULL,
            seconds_per_epoch       double precision NULL,
            parameters              bigint NULL,
            class_names             text NULL,
            confusion               text NULL,
            UNIQUE (sweep, trial_id)
        );
        CREATE INDEX trials_by_status ON trials (sweep, status, run_id);
        CREATE INDEX trials_by_trial_id ON trials (trial_id text_pattern_ops);
        CREATE TABLE epochs (
            run_id          bigint NOT NULL REFERENCES trials (run_id) ON DELETE CASCADE,
            epoch           integer NOT NULL,
            train_loss      double precision NULL,
            train_accuracy  double precision NULL,
            val_loss        double precision NULL,
            val_accuracy    double precision NULL,
            lr              double precision NULL,
            seconds         double precision NULL,
            PRIMARY KEY (run_id, epoch)
        );
        CREATE TABLE misclassified (
            run_id          bigint NOT NULL REFERENCES trials (run_id) ON DELETE CASCADE,
            test_index      integer NOT NULL,
            true_class      integer NOT NULL,
            predicted_class integer NOT NULL,
            PRIMARY KEY (run_id, test_index)
        );
        """;

    /// <summary>The time of a change: the test clock when one is given, else the server's.</summary>
    private const string NowSql = "COALESCE(@now, statement_timestamp())";

    // NOT EXISTS first: ON CONFLICT alone would spend an identity value on every trial already recorded,
    // leaving gaps in the run numbers; ON CONFLICT still settles a race between two submitters.
    private const string InsertTrialSql = $"""
        INSERT INTO trials (trial_id, sweep, point, repeat, seed, config_json, run_dir, status, owner, heartbeat, attempts, created_at, started_at)
        SELECT @trial_id, @sweep, @point, @repeat, @seed, @config_json, @run_dir, @status, @owner,
               CASE WHEN @running THEN {NowSql} END, @attempts, {NowSql}, CASE WHEN @running THEN {NowSql} END
        WHERE NOT EXISTS (SELECT 1 FROM trials WHERE sweep = @sweep AND trial_id = @trial_id)
        ON CONFLICT (sweep, trial_id) DO NOTHING
        RETURNING run_id
        """;

    // SKIP LOCKED: a row another worker is claiming right now is passed over, not waited for.
    private const string ClaimSql = $"""
        UPDATE trials SET status = 'running', owner = @owner, heartbeat = {NowSql}, started_at = {NowSql}, attempts = attempts + 1
        WHERE run_id = (
            SELECT run_id FROM trials
            WHERE sweep = @sweep AND status = 'pending'
              AND (@ids::text[] IS NULL OR trial_id = ANY (@ids::text[]))
            ORDER BY run_id LIMIT 1
            FOR UPDATE SKIP LOCKED)
          AND status = 'pending'
        RETURNING {StoreRows.TrialColumns}
        """;

    // All of a trial's mistakes in one statement, however many there are.
    private const string InsertMisclassifiedSql = """
        INSERT INTO misclassified (run_id, test_index, true_class, predicted_class)
        SELECT @run_id, m.i, m.t, m.p FROM unnest(@indices::integer[], @trues::integer[], @predicted::integer[]) AS m (i, t, p)
        """;

    private readonly NpgsqlConnection _connection;
    private readonly Func<DateTime>? _utcNow;

    private PostgresRunStore(string location, NpgsqlConnection connection, Func<DateTime>? utcNow) : base(location, connection)
    {
        _connection = connection;
        _utcNow = utcNow;
    }

    /// <summary>Connects to the store at <paramref name="location"/> (a postgres:// URL or an Npgsql connection string), creating its tables in an empty database.</summary>
    public static PostgresRunStore Open(string location) => Open(location, null);

    /// <summary>As <see cref="Open(string)"/> with a clock, so tests can age heartbeats without waiting.</summary>
    internal static PostgresRunStore Open(string location, Func<DateTime>? utcNow)
    {
        var address = PostgresLocation.Parse(location);
        var connection = new NpgsqlConnection(address.ConnectionString);
        try
        {
            connection.Open();
            EnsureSchema(connection, address.Display);
            return new PostgresRunStore(address.Display, connection, utcNow);
        }
        catch (NpgsqlException e)
        {
            connection.Dispose();
            throw new FcnLabException($"Cannot open the run store {address.Display}: {e.Message}{Hint(e)}", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static string Hint(NpgsqlException e) => (e as PostgresException)?.SqlState switch
    {
        PostgresErrorCodes.InvalidCatalogName => ". Create the database first (createdb, or CREATE DATABASE as a user allowed to), or name an existing one.",
        PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification =>
            ". Check the user name and password (give the password by PGPASSWORD or ~/.pgpass rather than on the command line).",
        PostgresErrorCodes.InsufficientPrivilege => ". The user needs the right to create tables in the database's schema the first time, and to read and write them after.",
        null => ". Check that the server runs, listens on that host and port (listen_addresses, pg_hba.conf) and is reachable from this machine.",
        _ => "",
    };

    private static void EnsureSchema(NpgsqlConnection connection, string display)
    {
        using var tx = connection.BeginTransaction();
        // Several workers may meet an empty database at once: one creates the tables, the others then see them.
        Execute(connection, $"SELECT pg_advisory_xact_lock({SchemaLockKey.ToString(CultureInfo.InvariantCulture)})");
        if (Scalar(connection, "SELECT to_regclass('fcnlab_schema') IS NOT NULL") is true)
        {
            long version = Convert.ToInt64(Scalar(connection, "SELECT coalesce(max(version), 0) FROM fcnlab_schema"), CultureInfo.InvariantCulture);
            if (version > SchemaVersion)
                throw new FcnLabException($"The run store {display} has schema version {version.ToString(CultureInfo.InvariantCulture)}, but this build of FcnLab understands version {SchemaVersion.ToString(CultureInfo.InvariantCulture)} at most. Use a newer FcnLab with this store, or give another database.");
            if (version < SchemaVersion)
                throw new FcnLabException($"The run store {display} has schema version {version.ToString(CultureInfo.InvariantCulture)}, which this build cannot read. Give another database.");
        }
        else
        {
            if (Scalar(connection, "SELECT current_schema()") is not string schema)
                throw new FcnLabException($"The run store {display} has no schema to create its tables in (the search_path names none that exists). Create the schema, or give another search path.");
            if (Scalar(connection, "SELECT to_regclass('trials') IS NOT NULL OR to_regclass('sweeps') IS NOT NULL OR to_regclass('epochs') IS NOT NULL") is true)
                throw new FcnLabException($"The database of {display} already has tables named like FcnLab's (trials, sweeps, epochs) in schema '{schema}' but is not an FcnLab run store (no fcnlab_schema table). Give another database, or another schema with Search Path.");
            Execute(connection, CreateSchemaSql);
            Execute(connection, $"INSERT INTO fcnlab_schema (version) VALUES ({SchemaVersion.ToString(CultureInfo.InvariantCulture)})");
        }
        tx.Commit();
    }

    private protected override string Now => NowSql;
    private protected override string OwnerIs => "owner IS NOT DISTINCT FROM @owner";
    // Byte order, as SQLite sorts, whatever the database's locale.
    private protected override string ByteOrder => " COLLATE \"C\"";

    private protected override int InsertTrials(IReadOnlyList<TrialDefinition> trials) =>
        trials.Count(t => InsertTrial(t, owner: null) != null);

    private protected override long InsertRun(TrialDefinition run, string owner) =>
        InsertTrial(run, owner) ?? throw new InvalidOperationException("A run outside any sweep was not inserted.");

    /// <summary>Inserts a trial, pending (no owner) or running under <paramref name="owner"/>; its run id, or null when the sweep already had it.</summary>
    private long? InsertTrial(TrialDefinition t, string? owner)
    {
        bool running = owner != null;
        using var cmd = Command(InsertTrialSql,
            ("@trial_id", t.TrialId), ("@sweep", t.Sweep), ("@point", StoreRows.PointJson(t.Point)), ("@repeat", t.Repeat),
            ("@seed", t.Seed), ("@config_json", t.ConfigJson), ("@run_dir", t.RunDir),
            ("@status", (running ? RunStatus.Running : RunStatus.Pending).ToText()), ("@owner", owner),
            ("@running", running), ("@attempts", running ? 1 : 0));
        return cmd.ExecuteScalar() is long id ? id : null;
    }

    private protected override List<(TrialRecord Trial, DateTime Now)> LockRunning(string sweep, TimeSpan grace)
    {
        // Only stale rows and this host's (whose process may be gone): with hundreds of live workers, every claim
        // would otherwise read and lock every running row. They stay locked until this transaction ends; rows
        // another reclaimer holds are skipped.
        var running = new List<(TrialRecord, DateTime)>();
        using var cmd = Command($"""
            SELECT {StoreRows.TrialColumns}, {NowSql} AS now FROM trials
            WHERE sweep = @sweep AND status = 'running'
              AND (heartbeat IS NULL OR heartbeat < {NowSql} - @grace OR left(owner, length(@host) + 1) = @host || ':')
            ORDER BY run_id FOR UPDATE SKIP LOCKED
            """, ("@sweep", sweep), ("@grace", grace), ("@host", Environment.MachineName));
        using var reader = cmd.ExecuteReader();
        while (reader.Read()) running.Add((ReadTrial(reader), ReadTime(reader, reader.GetOrdinal("now"))));
        return running;
    }

    private protected override TrialRecord? Claim(string sweep, string owner, IReadOnlyCollection<string>? trialIds) =>
        ReadTrialsLocked(ClaimSql, ("@owner", owner), ("@sweep", sweep), ("@ids", trialIds?.ToArray())).SingleOrDefault();

    private protected override void InsertMisclassified(long runId, IReadOnlyList<Misclassification> misclassified)
    {
        using var insert = Command(InsertMisclassifiedSql, ("@run_id", runId),
            ("@indices", misclassified.Select(x => x.Index).ToArray()), ("@trues", misclassified.Select(x => x.TrueClass).ToArray()),
            ("@predicted", misclassified.Select(x => x.PredictedClass).ToArray()));
        insert.ExecuteNonQuery();
    }

    private protected override T WriteTransaction<T>(Func<T> body) => InTransaction(body, IsolationLevel.ReadCommitted);

    // REPEATABLE READ: every statement sees the same snapshot.
    private protected override T ReadTransaction<T>(Func<T> body) => InTransaction(body, IsolationLevel.RepeatableRead);

    /// <summary>Runs <paramref name="body"/> in one transaction and commits; disposing it uncommitted rolls back.</summary>
    private T InTransaction<T>(Func<T> body, IsolationLevel isolation)
    {
        using var tx = _connection.BeginTransaction(isolation);
        T result = body();
        tx.Commit();
        return result;
    }

    private protected override Exception? Translate(DbException e) => e is NpgsqlException
        ? new RunStoreException($"The run store {Location} failed: {e.Message}. Check that the server is up and reachable; a worker that stops here leaves its trial to be taken back after the grace period.", e)
        : null;

    private protected override NpgsqlCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = new NpgsqlCommand(sql, _connection);
        foreach (var (name, value) in parameters)
            cmd.Parameters.AddWithValue(name, StoreRows.DbValue(value));
        // Typed, so a null (the server's clock) needs no cast in every statement.
        if (sql.Contains("@now", StringComparison.Ordinal))
            cmd.Parameters.Add(new NpgsqlParameter("@now", NpgsqlDbType.TimestampTz) { Value = _utcNow is { } clock ? DateTime.SpecifyKind(clock().ToUniversalTime(), DateTimeKind.Utc) : DBNull.Value });
        return cmd;
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, connection);
        cmd.ExecuteNonQuery();
    }

    private static object? Scalar(NpgsqlConnection connection, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, connection);
        return cmd.ExecuteScalar();
    }

    // timestamptz reads back as UTC; PostgreSQL keeps microseconds.
    private protected override DateTime ReadTime(DbDataReader r, int i) => DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc);
}

/// <summary>The run store's server could not be reached or refused a statement; not the trial's fault, so never recorded as its failure.</summary>
public sealed class RunStoreException(string message, Exception inner) : FcnLabException(message, inner);
