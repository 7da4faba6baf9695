using FcnLab.Engine;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;
using Npgsql;

namespace FcnLab.Lab.Tests.Store;

/// <summary>
/// The run store contract on a real PostgreSQL server, and what only the PostgreSQL store does. The class
/// has its own database; each test its own schema in it (the store creates its tables in the connection's
/// current schema), so every test starts from an empty store.
/// </summary>
public sealed class PostgresRunStoreTests(PostgresDatabase database) : RunStoreContractTests, IClassFixture<PostgresDatabase>, INeedsPostgres
{
    private readonly string _schema = "t_" + Guid.NewGuid().ToString("N")[..12];
    private Lazy<string>? _connectionString;

    /// <summary>This test's store: its own schema in the class's database, made on first use.</summary>
    private string ConnectionString => (_connectionString ??= new Lazy<string>(() =>
    {
        PostgresTestServer.Execute(database.ConnectionString, $"CREATE SCHEMA {_schema}");
        return new NpgsqlConnectionStringBuilder(database.ConnectionString) { SearchPath = _schema }.ConnectionString;
    })).Value;

    protected override IRunStore OpenStore(Func<DateTime>? clock) => PostgresRunStore.Open(ConnectionString, clock);

    protected override TimeSpan Resolution => TimeSpan.FromTicks(10);

    [PostgresFact]
    public void Open_CreatesTheTablesWithTheSchemaVersionAndReportsNoPassword()
    {
        string withPassword = new NpgsqlConnectionStringBuilder(ConnectionString) { Password = "Sw0rdfish-Pg" }.ConnectionString;
        using var store = PostgresRunStore.Open(withPassword);
        Assert.DoesNotContain("Sw0rdfish-Pg", store.Location);
        Assert.Contains($"Search Path={_schema}", store.Location);
        Assert.Equal(PostgresRunStore.SchemaVersion, Convert.ToInt32(PostgresTestServer.Scalar(ConnectionString, "SELECT version FROM fcnlab_schema"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(4L, PostgresTestServer.Scalar(ConnectionString, $"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{_schema}' AND table_name IN ('sweeps', 'trials', 'epochs', 'misclassified')"));
    }

    [PostgresFact]
    public void Open_AsAUrlWithAPassword_LeavesThePasswordOutOfTheLocation()
    {
        PostgresTestServer.Execute(ConnectionString, "SELECT 1"); // makes the schema
        string url = PostgresTestServer.Url(database.ConnectionString, password: "p@ss:w/rd%Secret") + "?Search%20Path=" + _schema;
        using var store = PostgresRunStore.Open(url);
        Assert.DoesNotContain("Secret", store.Location);
        Assert.DoesNotContain("p@ss", store.Location);
        Assert.StartsWith("postgres://postgres@", store.Location);
        store.SaveSweep("s", "spec");
        Assert.Equal("spec", store.GetSweep("s")!.SpecText);
    }

    [PostgresFact]
    public void Open_ByManyProcessesAtOnceOnAnEmptyDatabase_CreatesTheTablesOnce()
    {
        var errors = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        string connectionString = ConnectionString;
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            try
            {
                using var s = PostgresRunStore.Open(connectionString);
                s.SaveSweep("same", "spec");
            }
            catch (Exception e)
            {
                errors.Add(e);
            }
        })).ToList();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        Assert.Empty(errors);
        Assert.Equal(1L, PostgresTestServer.Scalar(ConnectionString, "SELECT count(*) FROM fcnlab_schema"));
    }

    [PostgresFact]
    public void Open_NewerSchemaVersion_SaysWhichVersionsAreInvolved()
    {
        OpenStore(null).Dispose();
        PostgresTestServer.Execute(ConnectionString, "UPDATE fcnlab_schema SET version = 99");
        var e = Assert.Throws<FcnLabException>(() => OpenStore(null));
        Assert.Contains("schema version 99", e.Message);
        Assert.Contains($"version {PostgresRunStore.SchemaVersion} at most", e.Message);
    }

    [PostgresFact]
    public void Open_ForeignTablesOfTheSameNames_AreRefused()
    {
        PostgresTestServer.Execute(ConnectionString, "CREATE TABLE trials (id integer)");
        var e = Assert.Throws<FcnLabException>(() => OpenStore(null));
        Assert.Contains("not an FcnLab run store", e.Message);
    }

    [PostgresFact]
    public void Open_MissingDatabase_SaysToCreateItWithoutThePassword()
    {
        string missing = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Database = "no_such_db_fcnlab", Password = "Hunter2-Pg" }.ConnectionString;
        var e = Assert.Throws<FcnLabException>(() => PostgresRunStore.Open(missing));
        Assert.Contains("no_such_db_fcnlab", e.Message);
        Assert.Contains("Create the database", e.Message);
        Assert.DoesNotContain("Hunter2-Pg", e.Message);
    }

    [PostgresFact]
    public void Open_NoServerListening_SaysWhereItLookedWithoutThePassword()
    {
        // Port 1 on the loopback: nothing listens there.
        var e = Assert.Throws<FcnLabException>(() => PostgresRunStore.Open("postgres://fcnlab:Hunter2-Pg@127.0.0.1:1/runs"));
        Assert.Contains("postgres://fcnlab@127.0.0.1:1/runs", e.Message);
        Assert.Contains("reachable", e.Message);
        Assert.DoesNotContain("Hunter2-Pg", e.Message);
    }

    [PostgresFact]
    public void AConnectionTheServerDrops_IsOpenedAgain_AndTheOperationRetried()
    {
        var said = new List<string>();
        using var store = PostgresRunStore.Open(ConnectionString, TimeSpan.FromSeconds(20), said.Add);
        store.SaveSweep("before", "spec");
        // What a server restart does to a client: its backend is terminated (57P01) and the connection is gone.
        void DropTheStoresConnection() => PostgresTestServer.Execute(database.ConnectionString,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");

        DropTheStoresConnection();
        Assert.Equal("spec", store.GetSweep("before")!.SpecText);
        DropTheStoresConnection();
        store.SaveSweep("after", "spec 2");
        Assert.Equal(["after", "before"], store.ListSweeps().Select(s => s.Name));
        // Said once when each connection was lost, once when it was back.
        Assert.Equal(4, said.Count);
        Assert.All(said.Where((_, i) => i % 2 == 0), l => Assert.StartsWith($"lost the connection to the run store {store.Location} (", l));
        Assert.All(said.Where((_, i) => i % 2 == 1), l => Assert.Matches($"^the run store .* is back after [0-9.]+ s; going on$", l));
    }

    [PostgresFact]
    public void AConnectionTheServerDrops_IsAnErrorAtOnce_WithoutATimeout()
    {
        using var store = PostgresRunStore.Open(ConnectionString);
        store.SaveSweep("before", "spec");
        PostgresTestServer.Execute(database.ConnectionString,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
        var e = Assert.Throws<RunStoreException>(() => store.GetSweep("before"));
        Assert.Contains("Check that the server is up and reachable", e.Message);
    }

    [PostgresFact]
    public void AServerThatCannotBeReached_IsTriedAgainForTheTimeout_ThenOneClearError()
    {
        var e = Assert.Throws<FcnLabException>(() => PostgresRunStore.Open("postgres://fcnlab@127.0.0.1:1/runs", TimeSpan.FromSeconds(1)));
        Assert.Contains("Cannot open the run store postgres://fcnlab@127.0.0.1:1/runs", e.Message);
        Assert.Contains("(tried again for 1 s; wait longer with --store-timeout SECONDS)", e.Message);
    }

    [PostgresFact]
    public void AddTrials_AgainLeavesNoGapsInTheRunNumbers()
    {
        var store = OpenStore(null);
        Opened.Add(store);
        var trials = Enumerable.Range(0, 5).Select(i => new TrialDefinition { TrialId = $"t{i}", Sweep = "s", ConfigJson = "{}", RunDir = "r" }).ToList();
        Assert.Equal(5, store.AddTrials(trials));
        Assert.Equal(0, store.AddTrials(trials));
        Assert.Equal(1, store.AddTrials([.. trials, new TrialDefinition { TrialId = "t5", Sweep = "s", ConfigJson = "{}", RunDir = "r" }]));
        var ids = store.ListTrials("s").Select(t => t.RunId).ToList();
        Assert.Equal(Enumerable.Range((int)ids[0], 6).Select(i => (long)i), ids);
    }

    /// <summary>A store through a relay that can drop a commit's answer (<see cref="CommitAnswerDropper"/>), retrying lost connections.</summary>
    private (PostgresRunStore Store, CommitAnswerDropper Relay) ThroughRelay()
    {
        var server = new NpgsqlConnectionStringBuilder(ConnectionString);
        var relay = new CommitAnswerDropper(server.Host!, server.Port);
        var store = PostgresRunStore.Open(new NpgsqlConnectionStringBuilder(ConnectionString) { Host = "127.0.0.1", Port = relay.Port }.ConnectionString, TimeSpan.FromSeconds(20));
        store.SaveSweep("s", "spec");
        store.AddTrials(Enumerable.Range(0, 3).Select(i => new TrialDefinition { TrialId = $"t{i}", Sweep = "s", ConfigJson = "{}", RunDir = "r" }));
        return (store, relay);
    }

    [PostgresFact]
    public void AClaimWhoseCommitWasAnsweredOnALostConnection_IsNotRunAgain_NoSecondTrialIsTaken()
    {
        var (store, relay) = ThroughRelay();
        using (relay)
        using (store)
        {
            relay.DropNextCommitAnswer();
            var claimed = store.ClaimNext("s", "host:1");
            Assert.True(relay.Dropped, "the relay never saw the claim's COMMIT");
            // Run again on a new connection, the claim finds its own committed row instead of taking the next trial.
            var running = store.ListTrials("s").Where(t => t.Status == Engine.Training.RunStatus.Running).ToList();
            Assert.Equal("t0", Assert.Single(running).TrialId);
            Assert.Equal(running[0].RunId, claimed!.RunId);
            Assert.Equal(1, running[0].Attempts);
            Assert.Equal("t1", store.ClaimNext("s", "host:1")!.TrialId);
        }
    }

    [PostgresFact]
    public void ACompletionOrFailureWhoseCommitWasAnsweredOnALostConnection_IsReportedRecorded_NotTakenOver()
    {
        var (store, relay) = ThroughRelay();
        using (relay)
        using (store)
        {
            var first = store.ClaimNext("s", "host:1")!;
            relay.DropNextCommitAnswer();
            Assert.True(store.Complete(first.RunId, "host:1", Outcome(Engine.Training.RunStatus.Completed)));
            Assert.True(relay.Dropped);
            Assert.Equal(Engine.Training.RunStatus.Completed, store.GetTrial(first.RunId)!.Status);

            var second = store.ClaimNext("s", "host:1")!;
            relay.DropNextCommitAnswer();
            Assert.True(store.Fail(second.RunId, "host:1", "disk full"));
            Assert.True(relay.Dropped);

            var third = store.ClaimNext("s", "host:1")!;
            relay.DropNextCommitAnswer();
            Assert.True(store.Interrupt(third.RunId, "host:1", "interrupted"));
            Assert.True(relay.Dropped);
            // Another holder's row is still refused.
            Assert.False(store.Interrupt(third.RunId, "host:2", "interrupted"));
        }
    }

    [PostgresFact]
    public void StartingOrReopeningARunWhoseCommitWasAnsweredOnALostConnection_MakesOneRow_AndIsNotRefused()
    {
        var (store, relay) = ThroughRelay();
        using (relay)
        using (store)
        {
            var run = new TrialDefinition { TrialId = "r", ConfigJson = "{}", RunDir = "/runs/one" };
            relay.DropNextCommitAnswer();
            long id = store.StartRun(run, "host:1");
            Assert.True(relay.Dropped);
            Assert.Equal(id, Assert.Single(store.ListTrials(), t => t.Sweep == null).RunId);

            Assert.True(store.Interrupt(id, "host:1", "interrupted"));
            relay.DropNextCommitAnswer();
            Assert.True(store.Reopen(id, run, "host:1", TimeSpan.FromSeconds(60)));
            Assert.True(relay.Dropped);
            Assert.Equal(Engine.Training.RunStatus.Running, store.GetTrial(id)!.Status);
        }
    }

    [PostgresFact]
    public void ASearchClaimWhoseCommitWasAnsweredOnALostConnection_IsNotSuggestedAgain()
    {
        var (store, relay) = ThroughRelay();
        using (relay)
        using (store)
        {
            store.SaveSweep("search", "space: {lr: {log_uniform: [0.001, 0.1]}}");
            TrialDefinition Next(IReadOnlyList<TrialHistory> history) =>
                new() { TrialId = $"n{history.Count}", Sweep = "search", Repeat = history.Count, ConfigJson = "{}", RunDir = "r" };
            relay.DropNextCommitAnswer();
            var claimed = store.ClaimNew("search", "host:1", Next)!;
            Assert.True(relay.Dropped);
            Assert.Equal("n0", claimed.TrialId);
            Assert.Equal("n0", Assert.Single(store.ListTrials("search")).TrialId);
        }
    }
}
