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
    /// <summary>The schema this build writes and reads (the row of table fcnlab_schema; see <see cref="PostgresSchema"/>).</summary>
    public const int SchemaVersion = PostgresSchema.Version;

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
    private readonly TimeSpan _retryFor;

    private PostgresRunStore(string location, NpgsqlConnection connection, Func<DateTime>? utcNow, TimeSpan retryFor) : base(location, connection)
    {
        _connection = connection;
        _utcNow = utcNow;
        _retryFor = retryFor;
    }

    /// <summary>Connects to the store at <paramref name="location"/> (a postgres:// URL or an Npgsql connection string), creating its tables in an empty database.</summary>
    public static PostgresRunStore Open(string location) => Open(location, null);

    /// <summary>
    /// As <see cref="Open(string)"/>, but a server that cannot be reached (down, restarting) is tried again with backoff for
    /// <paramref name="retryFor"/> (--store-timeout), when opening and whenever the connection is lost later.
    /// </summary>
    /// <param name="say">Told once when a lost connection starts being tried again, and once when it is back (a worker prints it).</param>
    public static PostgresRunStore Open(string location, TimeSpan retryFor, Action<string>? say = null) => Open(location, null, retryFor, say);

    /// <summary>As <see cref="Open(string)"/> with a clock, so tests can age heartbeats without waiting.</summary>
    internal static PostgresRunStore Open(string location, Func<DateTime>? utcNow, TimeSpan retryFor = default, Action<string>? say = null)
    {
        var address = PostgresLocation.Parse(location);
        var connection = new NpgsqlConnection(address.ConnectionString);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var backoff = FirstBackoff;
        try
        {
            while (true)
            {
                try
                {
                    connection.Open();
                    break;
                }
                catch (NpgsqlException e) when (Lost(e) && waited.Elapsed + backoff <= retryFor)
                {
                    Thread.Sleep(backoff);
                    backoff = NextBackoff(backoff);
                }
            }
            PostgresSchema.Ensure(connection, address.Display);
            return new PostgresRunStore(address.Display, connection, utcNow, retryFor) { Say = say };
        }
        catch (NpgsqlException e)
        {
            connection.Dispose();
            throw new FcnLabException($"Cannot open the run store {address.Display}: {e.Message}{Hint(e)}{Waited(e, retryFor)}", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The server is down, restarting or unreachable, or dropped the connection (an administrator's or a shutdown's
    /// termination, SQLSTATE classes 08 and 57P): worth trying again, unlike a refused password or a wrong statement.
    /// </summary>
    private static bool Lost(Exception e) => e switch
    {
        PostgresException p => p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState.StartsWith("57P", StringComparison.Ordinal),
        NpgsqlException => true, // no server answer at all: refused, reset, timed out
        _ => false,
    };

    /// <summary>What the message adds when the failure was tried again.</summary>
    private static string Waited(NpgsqlException e, TimeSpan retryFor) => Lost(e) && retryFor > TimeSpan.Zero
        ? $" (tried again for {retryFor.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s; wait longer with --store-timeout SECONDS)"
        : "";

    private protected override TimeSpan RetryFor => _retryFor;

    private protected override bool ConnectionLost(DbException e) => Lost(e);

    private static string Hint(NpgsqlException e) => (e as PostgresException)?.SqlState switch
    {
        PostgresErrorCodes.InvalidCatalogName => ". Create the database first (createdb, or CREATE DATABASE as a user allowed to), or name an existing one.",
        PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification =>
            ". Check the user name and password (give the password by PGPASSWORD or ~/.pgpass rather than on the command line).",
        PostgresErrorCodes.InsufficientPrivilege => ". The user needs the right to create tables in the database's schema the first time, and to read and write them after.",
        null => ". Check that the server runs, listens on that host and port (listen_addresses, pg_hba.conf) and is reachable from this machine.",
        _ => "",
    };

    private protected override string Now => NowSql;
    private protected override string OwnerIs => "owner IS NOT DISTINCT FROM @owner";
    // Byte order, as SQLite sorts, whatever the database's locale.
    private protected override string ByteOrder => " COLLATE \"C\"";
    private protected override string ForUpdate => " FOR UPDATE";

    private protected override int InsertTrials(IReadOnlyList<TrialDefinition> trials) =>
        trials.Count(t => InsertTrial(t, owner: null) != null);

    private protected override long InsertRun(TrialDefinition run, string owner) =>
        InsertTrial(run, owner) ?? throw new InvalidOperationException("A run outside any sweep was not inserted.");

    private protected override long? InsertClaimed(TrialDefinition trial, string owner) => InsertTrial(trial, owner);

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
        ? new RunStoreException($"The run store {Location} failed: {e.Message}{Waited((NpgsqlException)e, _retryFor)}. Check that the server is up and reachable; a worker that stops here leaves its trial to be taken back after the grace period.", e)
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

    // timestamptz reads back as UTC; PostgreSQL keeps microseconds.
    private protected override DateTime ReadTime(DbDataReader r, int i) => DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc);
}
