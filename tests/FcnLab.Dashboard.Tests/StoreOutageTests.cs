using FcnLab.Engine.Training;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;
using FcnLab.Lab.Tests.Store;
using Microsoft.Playwright;

namespace FcnLab.Dashboard.Tests;

/// <summary>A store that becomes unreachable while a run page is open: the page shows a banner, then recovers by itself when the store is back.</summary>
public sealed class StoreOutageTests
{
    [PostgresFact]
    public async Task AnOpenRunPage_ShowsABanner_WhileTheStoreIsUnreachable_AndRecovers()
    {
        string database = PostgresTestServer.CreateDatabase();
        string name = new Npgsql.NpgsqlConnectionStringBuilder(database).Database!;
        string url = PostgresTestServer.Url(database);
        try
        {
            long runId;
            using (var store = RunStores.Open(url))
            {
                store.SaveSweep("outage", "name: outage");
                store.AddTrials([new TrialDefinition { TrialId = "t1", Sweep = "outage", ConfigJson = "{}", RunDir = "/nonexistent/fcnlab-run" }]);
                runId = store.ClaimNext("outage", "host:1")!.RunId; // running: the page follows it
            }
            await using var server = await DashboardServer.StartAsync(new DashboardOptions(url, Port: 0));
            await using var chromium = await Chromium.LaunchAsync();
            var problems = new List<string>();
            var page = await chromium.NewPageAsync(problems);
            await page.GotoAsync($"{server.Url}runs/{runId}");
            Assert.Equal("running", await page.Locator("dd.status-value").TextContentAsync());

            // The database stops taking connections and the dashboard's is cut: the page says so, without a reload.
            PostgresTestServer.Execute(PostgresTestServer.ConnectionString, $"ALTER DATABASE {name} ALLOW_CONNECTIONS false");
            PostgresTestServer.Execute(PostgresTestServer.ConnectionString, $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'");
            await page.Locator("#live-banner").WaitForAsync();
            Assert.Contains("The store cannot be read just now (503)", await page.Locator("#live-banner").TextContentAsync());

            // Back: the run finished meanwhile; the page shows it and the banner goes.
            PostgresTestServer.Execute(PostgresTestServer.ConnectionString, $"ALTER DATABASE {name} ALLOW_CONNECTIONS true");
            using (var store = RunStores.Open(url))
                Assert.True(store.Complete(runId, "host:1", new TrialOutcome(new RunSummary { Status = RunStatus.Completed, TestAccuracy = 0.75, EpochsRun = 1 }, null, [], [])));
            await page.WaitForFunctionAsync("() => document.querySelector('dd.status-value').textContent === 'completed' && !document.getElementById('live-banner')");
            Assert.Empty(problems);
        }
        finally
        {
            PostgresTestServer.Execute(PostgresTestServer.ConnectionString, $"ALTER DATABASE {name} ALLOW_CONNECTIONS true");
            PostgresTestServer.DropDatabase(database);
        }
    }
}
