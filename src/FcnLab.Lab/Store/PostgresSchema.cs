using System.Globalization;
using FcnLab.Engine;
using Npgsql;

namespace FcnLab.Lab.Store;

/// <summary>
/// The PostgreSQL store's tables (the SQLite store's, with PostgreSQL's types: <see cref="SqliteSchema"/>), in
/// the connection's current schema, and how a store of an older schema is brought to this one in place. The
/// version is the row of table fcnlab_schema. Version 1 (main up to be0ab45): sweeps, trials (six statuses),
/// epochs, misclassified. Version 2: every status DESIGN.md lists and the live progress tables.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>The schema this build writes and reads.</summary>
    public const int Version = 2;

    // Serializes schema changes across processes opening a database at once (any constant will do).
    private const long LockKey = 0x46636E4C6162;

    // Named, so a later version can change it by name (version 1 left PostgreSQL to name it, the same way).
    private const string StatusCheck = $"CONSTRAINT trials_status_check CHECK (status IN ({StoreSchema.Statuses}))";

    private static string CreateSql => $"""
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
            status                  text NOT NULL,
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
            {StatusCheck},
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
        {ProgressTables}
        """;

    private static string ProgressTables => StoreSchema.ProgressTables("bigint", "double precision", "timestamptz");

    // Version 1 -> 2: PostgreSQL changes a CHECK in place; the rows and their run ids are not touched.
    private static string MigrateFrom1Sql => $"""
        ALTER TABLE trials DROP CONSTRAINT trials_status_check, ADD {StatusCheck};
        {ProgressTables}
        UPDATE fcnlab_schema SET version = 2;
        """;

    /// <summary>
    /// Creates the tables in an empty database, or brings an older store to <see cref="Version"/> in place, in
    /// one transaction under an advisory lock (several workers may meet an empty or old database at once: one
    /// does the work, the others then find it done). A newer store, or a database holding unrelated tables
    /// named like FcnLab's, is refused.
    /// </summary>
    public static void Ensure(NpgsqlConnection connection, string display)
    {
        using var tx = connection.BeginTransaction();
        Execute(connection, $"SELECT pg_advisory_xact_lock({LockKey.ToString(CultureInfo.InvariantCulture)})");
        if (Scalar(connection, "SELECT to_regclass('fcnlab_schema') IS NOT NULL") is true)
        {
            long version = Convert.ToInt64(Scalar(connection, "SELECT coalesce(max(version), 0) FROM fcnlab_schema"), CultureInfo.InvariantCulture);
            if (version > Version)
                throw new FcnLabException($"The run store {display} has schema version {version.ToString(CultureInfo.InvariantCulture)}, but this build of FcnLab understands version {Version.ToString(CultureInfo.InvariantCulture)} at most. Use a newer FcnLab with this store, or give another database.");
            if (version < 1)
                throw new FcnLabException($"The run store {display} has schema version {version.ToString(CultureInfo.InvariantCulture)}, which this build cannot read. Give another database.");
            if (version == 1) Execute(connection, MigrateFrom1Sql);
        }
        else
        {
            if (Scalar(connection, "SELECT current_schema()") is not string schema)
                throw new FcnLabException($"The run store {display} has no schema to create its tables in (the search_path names none that exists). Create the schema, or give another search path.");
            if (Scalar(connection, "SELECT to_regclass('trials') IS NOT NULL OR to_regclass('sweeps') IS NOT NULL OR to_regclass('epochs') IS NOT NULL") is true)
                throw new FcnLabException($"The database of {display} already has tables named like FcnLab's (trials, sweeps, epochs) in schema '{schema}' but is not an FcnLab run store (no fcnlab_schema table). Give another database, or another schema with Search Path.");
            Execute(connection, CreateSql);
            Execute(connection, $"INSERT INTO fcnlab_schema (version) VALUES ({Version.ToString(CultureInfo.InvariantCulture)})");
        }
        tx.Commit();
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
}
