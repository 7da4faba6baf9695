using FcnLab.Engine;
using FcnLab.Engine.Training;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;
using Npgsql;

namespace FcnLab.Lab.Tests.Store;

/// <summary>
/// The PostgreSQL store written by main at be0ab45 (schema version 1, restored from <see cref="StoreFixtures"/>'s
/// pg_dump into a database of its own) opened by this build: upgraded in place to version 2 with every row unchanged.
/// </summary>
public sealed class PostgresStoreMigrationTests : IDisposable, INeedsPostgres
{
    /// <summary>The tables of version 1 that hold runs (fcnlab_schema holds the version, which the upgrade changes).</summary>
    private static readonly string[] Version1Tables = ["sweeps", "trials", "epochs", "misclassified"];

    private readonly Lazy<string> _database = new(() =>
    {
        string database = PostgresTestServer.CreateDatabase();
        StoreFixtures.RestorePostgres(database);
        return database;
    });

    private string Database => _database.Value;

    public void Dispose()
    {
        if (_database.IsValueCreated) PostgresTestServer.DropDatabase(Database);
    }

    [StoreFact]
    public void Open_UpgradesTheStoreInPlace_KeepingEveryRowAsItWas()
    {
        Assert.Equal(1, Version());
        var before = Rows(Version1Tables);
        Assert.Equal(11, before["trials"].Count);

        PostgresRunStore.Open(Database).Dispose();

        Assert.Equal(2, Version());
        Assert.Equal(2, PostgresRunStore.SchemaVersion);
        Assert.Equal(before, Rows(Version1Tables));
        Assert.Contains("'interrupted'", (string)PostgresTestServer.Scalar(Database, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'trials_status_check'")!);
        Assert.Equal(0L, PostgresTestServer.Scalar(Database, "SELECT count(*) FROM progress"));
        Assert.Equal(0L, PostgresTestServer.Scalar(Database, "SELECT count(*) FROM step_losses"));
    }

    [StoreFact]
    public void TheUpgradedStore_ReadsEveryRun_AndTakesEveryStatus()
    {
        using var store = PostgresRunStore.Open(Database);
        var trials = store.ListTrials();
        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), trials.Select(t => t.RunId));
        Assert.Equal(
            [RunStatus.Completed, RunStatus.Failed, RunStatus.Completed, RunStatus.Completed, RunStatus.Failed, RunStatus.Diverged, RunStatus.Failed,
                RunStatus.Running, RunStatus.Pending, RunStatus.Pending, RunStatus.Pending],
            trials.Select(t => t.Status));
        Assert.StartsWith("interrupted (Ctrl-C); continue with: fcnlab train --resume /tmp/fcnlab-store-fixture/postgres/train-b", trials[1].Error);
        Assert.Equal([0.8, 0.82, 0.82], trials.Where(t => t.Status == RunStatus.Completed).Select(t => t.Summary!.TestAccuracy!.Value));
        foreach (var t in trials)
        {
            Assert.Equal(Count($"SELECT count(*) FROM epochs WHERE run_id = {t.RunId}"), store.GetEpochs(t.RunId).Count);
            if (store.GetOutcome(t.RunId) is { } outcome)
                Assert.Equal(Count($"SELECT count(*) FROM misclassified WHERE run_id = {t.RunId}"), outcome.Misclassified.Count);
        }

        var killed = trials[7];
        Assert.True(store.Interrupt(killed.RunId, killed.Owner!, "interrupted; the sweep takes it up again"));
        Assert.Equal(RunStatus.Interrupted, store.GetTrial(killed.RunId)!.Status);
        Assert.Contains(killed.RunId, store.ReclaimAbandoned(StoreFixtures.Sweep, TimeSpan.FromHours(1)).Select(t => t.RunId));
        var claimed = store.ClaimNext(StoreFixtures.Sweep, "host:1")!;
        Assert.Equal(killed.RunId, claimed.RunId);
        Assert.True(store.PublishProgress(claimed.RunId, "host:1", new ProgressPosition(3, 100000, 4, 5, 0.5, 12.5), new LossWindow(3, 4, 4, 0.5), newAttempt: true));
        Assert.True(store.Complete(claimed.RunId, "host:1", new TrialOutcome(new RunSummary { Status = RunStatus.Pruned, EpochsRun = 3, Parameters = 1786 }, null, [], [])));
        Assert.Equal(RunStatus.Pruned, store.GetTrial(claimed.RunId)!.Status);
        // New runs carry on from the run ids already given.
        Assert.Equal(12, store.StartRun(new TrialDefinition { TrialId = "0123456789ab", ConfigJson = "{}", RunDir = "/tmp/x" }, "host:1"));
    }

    [StoreFact]
    public void OpeningAgain_ChangesNothing()
    {
        PostgresRunStore.Open(Database).Dispose();
        var once = Rows([.. Version1Tables, "fcnlab_schema", "progress", "step_losses"]);
        string constraint = (string)PostgresTestServer.Scalar(Database, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'trials_status_check'")!;
        PostgresRunStore.Open(Database).Dispose();
        Assert.Equal(once, Rows([.. Version1Tables, "fcnlab_schema", "progress", "step_losses"]));
        Assert.Equal(constraint, PostgresTestServer.Scalar(Database, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'trials_status_check'"));
        Assert.Equal(2, Version());
    }

    [StoreFact]
    public void WorkersOpeningTheOldStoreAtOnce_UpgradeItOnce()
    {
        var before = Rows(["trials", "epochs"]);
        var stores = new PostgresRunStore[4];
        Parallel.For(0, stores.Length, i => stores[i] = PostgresRunStore.Open(Database));
        foreach (var s in stores) s.Dispose();
        Assert.Equal(2, Version());
        Assert.Equal(1L, PostgresTestServer.Scalar(Database, "SELECT count(*) FROM fcnlab_schema"));
        Assert.Equal(before, Rows(["trials", "epochs"]));
    }

    [StoreFact]
    public void AnUpgradeThatFails_ChangesNothing()
    {
        // A row whose status no version admits (written by hand): the new CHECK refuses it, and the upgrade rolls back whole.
        PostgresTestServer.Execute(Database, "ALTER TABLE trials DROP CONSTRAINT trials_status_check; UPDATE trials SET status = 'paused' WHERE run_id = 9");
        var before = Rows(Version1Tables);
        Assert.ThrowsAny<Exception>(() => PostgresRunStore.Open(Database));
        Assert.Equal(1, Version());
        Assert.Equal(before, Rows(Version1Tables));
        Assert.Equal(true, PostgresTestServer.Scalar(Database, "SELECT to_regclass('progress') IS NULL"));
    }

    private int Version() => Convert.ToInt32(PostgresTestServer.Scalar(Database, "SELECT version FROM fcnlab_schema"), System.Globalization.CultureInfo.InvariantCulture);

    private long Count(string sql) => (long)PostgresTestServer.Scalar(Database, sql)!;

    /// <summary>Every row of the tables as JSON text, in key order.</summary>
    private Dictionary<string, List<string>> Rows(string[] tables)
    {
        using var c = new NpgsqlConnection(Database);
        c.Open();
        var all = new Dictionary<string, List<string>>();
        foreach (string table in tables)
        {
            using var cmd = new NpgsqlCommand($"SELECT to_jsonb(t)::text FROM {table} t ORDER BY 1", c);
            using var r = cmd.ExecuteReader();
            var rows = new List<string>();
            while (r.Read()) rows.Add(r.GetString(0));
            all[table] = rows;
        }
        return all;
    }
}
