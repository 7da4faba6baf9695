using System.Globalization;
using FcnLab.Engine;
using Microsoft.Data.Sqlite;

namespace FcnLab.Lab.Store;

/// <summary>
/// The SQLite store's tables, and how a store of an older schema is brought to this one in place
/// (PRAGMA user_version counts the versions). Version 1 (main up to be0ab45): sweeps, trials (six
/// statuses), epochs, misclassified. Version 2: every status DESIGN.md lists (pruned and interrupted
/// added) and the live progress of a training run (progress, step_losses).
/// </summary>
internal static class SqliteSchema
{
    /// <summary>The schema this build writes and reads.</summary>
    public const int Version = 2;

    private const string SweepsTable = """
        CREATE TABLE sweeps (
            name        TEXT PRIMARY KEY,
            spec_text   TEXT NOT NULL,
            created_at  TEXT NOT NULL,
            updated_at  TEXT NOT NULL
        );
        """;

    // sweep is not a foreign key to sweeps: trials may be recorded before (or without) a saved spec.
    // UNIQUE(sweep, trial_id) holds for sweep trials only: SQLite treats NULL sweeps as distinct,
    // so `fcnlab train` may record the same settings many times.
    private static string TrialsTable(string name) => $"""
        CREATE TABLE {name} (
            run_id                  INTEGER PRIMARY KEY AUTOINCREMENT,
            trial_id                TEXT NOT NULL,
            sweep                   TEXT NULL,
            point                   TEXT NOT NULL,
            repeat                  INTEGER NOT NULL,
            seed                    INTEGER NOT NULL,
            config_json             TEXT NOT NULL,
            run_dir                 TEXT NOT NULL,
            status                  TEXT NOT NULL CHECK (status IN ({StoreSchema.Statuses})),
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
        """;

    private const string TrialIndexes = """
        CREATE INDEX trials_by_status ON trials (sweep, status, run_id);
        CREATE INDEX trials_by_trial_id ON trials (trial_id);
        """;

    private const string ResultTables = """
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

    private static string ProgressTables => StoreSchema.ProgressTables("INTEGER", "REAL", "TEXT");

    private static string CreateSql => SweepsTable + TrialsTable("trials") + TrialIndexes + ResultTables + ProgressTables;

    // Version 1 -> 2: SQLite cannot change a CHECK in place, so the trials table is rebuilt (SQLite's own
    // recipe: a new table, the rows copied with their run ids, the old one dropped, the new one renamed),
    // then the progress tables are added.
    private static string MigrateFrom1Sql => $"""
        {TrialsTable("trials_v2")}
        INSERT INTO trials_v2 ({StoreRows.TrialColumns}, class_names, confusion)
            SELECT {StoreRows.TrialColumns}, class_names, confusion FROM trials;
        DROP TABLE trials;
        ALTER TABLE trials_v2 RENAME TO trials;
        {TrialIndexes}
        {ProgressTables}
        """;

    /// <summary>
    /// Creates the tables in a new file, or brings an older store to <see cref="Version"/> in place, all in one
    /// transaction under the write lock (two processes may open a new or old store at once: the second finds the
    /// work done). A store written by a newer FcnLab, or a database that is not a run store, is refused.
    /// </summary>
    public static void Ensure(SqliteConnection connection, string full)
    {
        long version = UserVersion(connection);
        if (version == Version) return;
        CheckNotNewer(version, full);
        // Off outside the transaction (SQLite ignores it inside): dropping the old trials table must not
        // cascade into epochs and misclassified, whose rows refer to the run ids the new table keeps.
        Execute(connection, "PRAGMA foreign_keys = OFF");
        Execute(connection, "BEGIN IMMEDIATE");
        try
        {
            version = UserVersion(connection);
            CheckNotNewer(version, full);
            if (version == 0) Create(connection, full);
            else if (version == 1) MigrateFrom1(connection, full);
            Execute(connection, "COMMIT");
        }
        catch
        {
            Rollback(connection);
            throw;
        }
        finally
        {
            Execute(connection, "PRAGMA foreign_keys = ON");
        }
    }

    private static void Create(SqliteConnection connection, string full)
    {
        long tables = Convert.ToInt64(Scalar(connection, "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"), CultureInfo.InvariantCulture);
        if (tables > 0)
            throw new FcnLabException($"The file {full} is a SQLite database but not an FcnLab run store (it has other tables and no FcnLab schema version). Give another store path.");
        Execute(connection, CreateSql);
        SetVersion(connection, Version);
    }

    private static void MigrateFrom1(SqliteConnection connection, string full)
    {
        // The next run id stays what it was, even above the highest row kept.
        object? sequence = Scalar(connection, "SELECT seq FROM sqlite_sequence WHERE name = 'trials'");
        Execute(connection, MigrateFrom1Sql);
        if (sequence is long seq)
            Execute(connection, $"UPDATE sqlite_sequence SET seq = max(seq, {seq.ToString(CultureInfo.InvariantCulture)}) WHERE name = 'trials'");
        if (Scalar(connection, "PRAGMA foreign_key_check") != null)
            throw new FcnLabException($"The run store {full} could not be upgraded to schema version {Version}: it has epochs or misclassified rows of runs it does not hold. Nothing was changed; keep a copy of the file and report it.");
        SetVersion(connection, Version);
    }

    private static void CheckNotNewer(long version, string full)
    {
        if (version > Version)
            throw new FcnLabException($"The run store {full} has schema version {version.ToString(CultureInfo.InvariantCulture)}, but this build of FcnLab understands version {Version.ToString(CultureInfo.InvariantCulture)} at most. Use a newer FcnLab with this store, or give another store path.");
    }

    private static long UserVersion(SqliteConnection connection) =>
        Convert.ToInt64(Scalar(connection, "PRAGMA user_version"), CultureInfo.InvariantCulture);

    private static void SetVersion(SqliteConnection connection, int version) =>
        Execute(connection, $"PRAGMA user_version = {version.ToString(CultureInfo.InvariantCulture)}");

    public static void Rollback(SqliteConnection connection)
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

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public static object? Scalar(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }
}
