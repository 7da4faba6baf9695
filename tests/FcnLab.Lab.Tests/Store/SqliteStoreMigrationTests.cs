using System.Globalization;
using FcnLab.Engine;
using FcnLab.Engine.Training;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;
using Microsoft.Data.Sqlite;

namespace FcnLab.Lab.Tests.Store;

/// <summary>
/// The SQLite store written by main at be0ab45 (schema version 1, <see cref="StoreFixtures"/>) opened by this build:
/// upgraded in place to version 2 with every row unchanged, readable, and able to take the statuses it lacked.
/// </summary>
public sealed class SqliteStoreMigrationTests : IDisposable
{
    private static readonly string[] Version1Tables = ["sweeps", "trials", "epochs", "misclassified", "sqlite_sequence"];

    private readonly string _dir = Directory.CreateTempSubdirectory("fcnlab-migration-").FullName;
    private readonly string _db;

    public SqliteStoreMigrationTests() => _db = StoreFixtures.CopySqlite(Path.Combine(_dir, "fcnlab.db"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Open_UpgradesTheStoreInPlace_KeepingEveryRowAsItWas()
    {
        Assert.Equal(1L, Scalar("PRAGMA user_version"));
        var before = Rows(Version1Tables);

        SqliteRunStore.Open(_db).Dispose();

        Assert.Equal(2L, Scalar("PRAGMA user_version"));
        Assert.Equal(2, SqliteRunStore.SchemaVersion);
        Assert.Equal(before, Rows(Version1Tables));
        Assert.Contains("'interrupted'", (string)Scalar("SELECT sql FROM sqlite_master WHERE name = 'trials'")!);
        Assert.Equal(0L, Scalar("SELECT count(*) FROM progress"));
        Assert.Equal(0L, Scalar("SELECT count(*) FROM step_losses"));
        Assert.Equal("ok", Scalar("PRAGMA integrity_check"));
        Assert.Null(Scalar("PRAGMA foreign_key_check"));
    }

    [Fact]
    public void TheUpgradedStore_ReadsEveryRunAsMainWroteIt()
    {
        var raw = Rows(["trials"])["trials"];
        using var store = SqliteRunStore.Open(_db);
        var trials = store.ListTrials();

        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), trials.Select(t => t.RunId));
        Assert.Equal(
            [RunStatus.Completed, RunStatus.Failed, RunStatus.Completed, RunStatus.Completed, RunStatus.Failed, RunStatus.Diverged, RunStatus.Failed,
                RunStatus.Running, RunStatus.Pending, RunStatus.Pending, RunStatus.Pending],
            trials.Select(t => t.Status));
        Assert.Equal([null, null, null, .. Enumerable.Repeat(StoreFixtures.Sweep, 8)], trials.Select(t => t.Sweep));
        Assert.StartsWith("interrupted (Ctrl-C); continue with: fcnlab train --resume /tmp/fcnlab-store-fixture/sqlite/train-b", trials[1].Error);
        Assert.Equal(trials[1].Definition.RunDir, trials[2].Definition.RunDir);
        Assert.Equal((1, 5), (trials[5].Summary!.DivergedEpoch, trials[5].Summary!.DivergedStep));

        for (int i = 0; i < trials.Count; i++)
        {
            var t = trials[i];
            var row = raw[i];
            Assert.Equal(row, Row(t, row));
            Assert.Equal(Count($"SELECT count(*) FROM epochs WHERE run_id = {t.RunId}"), store.GetEpochs(t.RunId).Count);
            var outcome = store.GetOutcome(t.RunId);
            Assert.Equal(t.Status.HasResults(), outcome != null);
            if (outcome != null) Assert.Equal(Count($"SELECT count(*) FROM misclassified WHERE run_id = {t.RunId}"), outcome.Misclassified.Count);
        }
        Assert.Equal([0.8, 0.82, 0.82], trials.Where(t => t.Status == RunStatus.Completed).Select(t => t.Summary!.TestAccuracy!.Value));
        Assert.Equal(10, store.GetOutcome(1)!.Misclassified.Count);
        var confusion = store.GetOutcome(1)!.Confusion!;
        Assert.Equal((10, 10, 50L), (confusion.GetLength(0), confusion.GetLength(1), confusion.Cast<long>().Sum()));
    }

    [Fact]
    public void TheSweepsTrials_KeepTheirIdentities()
    {
        // Re-running the finished sweep redoes nothing: its stored spec expands to the trial ids in the store.
        using var store = SqliteRunStore.Open(_db);
        var spec = SweepSpecParser.Parse(store.GetSweep(StoreFixtures.Sweep)!.SpecText, "the fixture's spec");
        var ids = SweepGrid.Index(spec, _dir).Keys.Order(StringComparer.Ordinal);
        Assert.Equal(ids, store.ListTrials(StoreFixtures.Sweep).Select(t => t.TrialId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TheUpgradedStore_TakesEveryStatus()
    {
        using var store = SqliteRunStore.Open(_db);
        var killed = store.GetTrial(8)!;
        Assert.True(store.Interrupt(killed.RunId, killed.Owner!, "interrupted; the sweep takes it up again"));
        Assert.Equal(RunStatus.Interrupted, store.GetTrial(8)!.Status);
        Assert.Contains(8L, store.ReclaimAbandoned(StoreFixtures.Sweep, TimeSpan.FromHours(1)).Select(t => t.RunId));

        var claimed = store.ClaimNext(StoreFixtures.Sweep, "host:1")!;
        Assert.Equal(8, claimed.RunId);
        Assert.Equal(2, claimed.Attempts);
        Assert.True(store.PublishProgress(8, "host:1", new ProgressPosition(3, 100000, 4, 5, 0.5, 12.5), new LossWindow(3, 4, 4, 0.5), newAttempt: true));
        Assert.Equal(4, store.GetProgress(8)!.Position.Step);
        Assert.True(store.Complete(8, "host:1", new TrialOutcome(new RunSummary { Status = RunStatus.Pruned, EpochsRun = 3, Parameters = 1786 }, null, [], [])));
        Assert.Equal(RunStatus.Pruned, store.GetTrial(8)!.Status);
        // New runs carry on from the run ids already given.
        Assert.Equal(12, store.StartRun(new TrialDefinition { TrialId = "0123456789ab", ConfigJson = "{}", RunDir = "/tmp/x" }, "host:1"));
    }

    [Fact]
    public void OpeningAgain_ChangesNothing()
    {
        SqliteRunStore.Open(_db).Dispose();
        var once = Rows(["sqlite_master", .. Version1Tables, "progress", "step_losses"]);
        SqliteRunStore.Open(_db).Dispose();
        Assert.Equal(once, Rows(["sqlite_master", .. Version1Tables, "progress", "step_losses"]));
        Assert.Equal(2L, Scalar("PRAGMA user_version"));
    }

    [Fact]
    public void Upgrade_KeepsTheNextRunIdAboveEveryIdEverGiven()
    {
        // AUTOINCREMENT never gives an id twice, even that of a row gone: the rebuilt table keeps the counter.
        Execute("UPDATE sqlite_sequence SET seq = 40 WHERE name = 'trials'");
        using var store = SqliteRunStore.Open(_db);
        Assert.Equal(41, store.StartRun(new TrialDefinition { TrialId = "0123456789ab", ConfigJson = "{}", RunDir = "/tmp/x" }, "host:1"));
    }

    [Fact]
    public void AnUpgradeThatCannotKeepEveryRow_ChangesNothing()
    {
        // An epoch of a run the store does not hold (only possible with foreign keys off): the upgrade refuses.
        Execute("PRAGMA foreign_keys = OFF; INSERT INTO epochs (run_id, epoch, train_loss) VALUES (999, 1, 0.5)");
        var before = Rows(Version1Tables);
        var e = Assert.Throws<FcnLabException>(() => SqliteRunStore.Open(_db));
        Assert.Contains("could not be upgraded to schema version 2", e.Message);
        Assert.Contains("Nothing was changed", e.Message);
        Assert.Equal(1L, Scalar("PRAGMA user_version"));
        Assert.Equal(before, Rows(Version1Tables));
        Assert.Equal(0L, Scalar("SELECT count(*) FROM sqlite_master WHERE name IN ('progress', 'step_losses', 'trials_v2')"));
    }

    [Fact]
    public void TwoProcessesOpeningTheOldStoreAtOnce_UpgradeItOnce()
    {
        var before = Rows(Version1Tables);
        var stores = new SqliteRunStore[4];
        Parallel.For(0, stores.Length, i => stores[i] = SqliteRunStore.Open(_db));
        foreach (var s in stores) s.Dispose();
        Assert.Equal(2L, Scalar("PRAGMA user_version"));
        Assert.Equal(before, Rows(Version1Tables));
    }

    /// <summary>The columns of a trial row as the store's record gives them back, in the row's form.</summary>
    private static Dictionary<string, string> Row(TrialRecord t, Dictionary<string, string> raw)
    {
        var row = new Dictionary<string, string>(raw)
        {
            ["run_id"] = Text(t.RunId),
            ["trial_id"] = Text(t.TrialId),
            ["sweep"] = Text(t.Sweep),
            ["status"] = Text(t.Status.ToText()),
            ["owner"] = Text(t.Owner),
            ["attempts"] = Text((long)t.Attempts),
            ["error"] = Text(t.Error),
            ["config_json"] = Text(t.Definition.ConfigJson),
            ["run_dir"] = Text(t.Definition.RunDir),
            ["seed"] = Text(t.Definition.Seed),
            ["repeat"] = Text((long)t.Definition.Repeat),
        };
        if (t.Summary is { } s)
        {
            row["test_accuracy"] = Text(s.TestAccuracy);
            row["epochs_run"] = Text((long)s.EpochsRun);
            row["parameters"] = Text(s.Parameters);
        }
        return row;
    }

    private static string Text(object? value) => value switch
    {
        null => "null",
        double d => "real " + d.ToString("R", CultureInfo.InvariantCulture),
        long l => "integer " + l.ToString(CultureInfo.InvariantCulture),
        string s => "text " + s,
        _ => throw new ArgumentException($"no form for {value.GetType().Name}"),
    };

    /// <summary>Every row of the tables, each column as its SQLite type and value, in rowid order.</summary>
    private Dictionary<string, List<Dictionary<string, string>>> Rows(string[] tables)
    {
        using var c = Connection();
        var all = new Dictionary<string, List<Dictionary<string, string>>>();
        foreach (string table in tables)
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = table == "sqlite_master" ? "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name" : $"SELECT * FROM {table} ORDER BY 1, 2";
            using var r = cmd.ExecuteReader();
            var rows = new List<Dictionary<string, string>>();
            while (r.Read())
            {
                var row = new Dictionary<string, string>();
                for (int i = 0; i < r.FieldCount; i++) row[r.GetName(i)] = Text(r.IsDBNull(i) ? null : r.GetValue(i));
                rows.Add(row);
            }
            all[table] = rows;
        }
        return all;
    }

    private long Count(string sql) => (long)Scalar(sql)!;

    private object? Scalar(string sql)
    {
        using var c = Connection();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    private void Execute(string sql)
    {
        using var c = Connection();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private SqliteConnection Connection()
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _db, Pooling = false }.ToString());
        c.Open();
        return c;
    }
}
