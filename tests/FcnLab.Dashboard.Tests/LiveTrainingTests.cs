using FcnLab.Cli;
using FcnLab.Cli.Tests;
using FcnLab.Lab.Store;
using FcnLab.Lab.Tests.Store;
using Microsoft.Playwright;

namespace FcnLab.Dashboard.Tests;

/// <summary>
/// A real `fcnlab train` started in the background (in-process, on IDX data the test writes) is followed on its
/// open run page: new epochs and steps appear without a reload, read from the store the run publishes to.
/// </summary>
public sealed class LiveTrainingTests : IDisposable
{
    // Enough data that an epoch takes a while (63 steps), so the page sees epochs arrive one after another.
    private readonly CliHarness _h = new(train: 2000, test: 100, size: 12, classes: 4);

    public void Dispose() => _h.Dispose();

    [Fact]
    public Task TheRunPage_ShowsNewEpochsWithoutReload_Sqlite() => FollowATraining(_h.StorePath);

    [PostgresFact]
    public async Task TheRunPage_ShowsNewEpochsWithoutReload_Postgres()
    {
        string database = PostgresTestServer.CreateDatabase();
        try
        {
            await FollowATraining(PostgresTestServer.Url(database));
        }
        finally
        {
            PostgresTestServer.DropDatabase(database);
        }
    }

    private async Task FollowATraining(string store)
    {
        string runDir = _h.Path_("live");
        using var stop = new CancellationTokenSource();
        var stderr = new StringWriter();
        string[] args = ["train", "--data", _h.DataDir, "--dataset", "tiny", "--hidden", "64,64", "--epochs", "100000", "--batch-size", "32",
            "--threads", "1", "--out", runDir, "--store", store, "--progress-every", "0.2", "--quiet"];
        var training = Task.Run(() => FcnLab.Cli.Program.Run(args, new StringWriter(), stderr, stop.Token));
        try
        {
            long runId = await WaitFor(() =>
            {
                if (!RunStores.IsPostgres(store) && !File.Exists(store)) return null;
                using var s = RunStores.Open(store);
                return s.FindRun(Path.GetFullPath(runDir)) is { } t && s.GetProgress(t.RunId) != null ? t.RunId : (long?)null;
            }, training);

            await using var server = await DashboardServer.StartAsync(new DashboardOptions(store, Port: 0));
            await using var chromium = await Chromium.LaunchAsync();
            var problems = new List<string>();
            var page = await chromium.NewPageAsync(problems);
            await page.GotoAsync($"{server.Url}runs/{runId}");
            Assert.Equal("running", await page.Locator("dd.status-value").TextContentAsync());
            await page.EvaluateAsync("() => { window.__notReloaded = true; }");
            int epochsAtLoad = await page.Locator("#epochs tbody tr").CountAsync();
            string progressAtLoad = (await page.Locator("dd.progress").TextContentAsync())!;

            // At least two more epochs arrive in the open page (so the second one it shows is new).
            int want = Math.Max(2, epochsAtLoad + 2);
            await page.WaitForFunctionAsync($"() => document.querySelectorAll('#epochs tbody tr').length >= {want}", null, new PageWaitForFunctionOptions { Timeout = 120_000, PollingInterval = 100 });
            Assert.True(await page.EvaluateAsync<bool>("() => window.__notReloaded === true"), "the page was reloaded");
            // The progress line is published every 0.2 s, not every epoch: two fast epochs can pass before it changes.
            await page.WaitForFunctionAsync("([at]) => document.querySelector('dd.progress')?.textContent !== at", new[] { progressAtLoad }, new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 100 });
            Assert.True(await page.EvaluateAsync<bool>("() => window.__notReloaded === true"), "the page was reloaded");
            Assert.True(await page.Locator("#chart-steps svg path").CountAsync() > 0, "the step-loss chart draws nothing");
            Assert.Contains("published to the store", await page.Locator("#chart-steps figcaption").TextContentAsync());

            // Once the run stops, the page says so and stops following.
            stop.Cancel();
            Assert.Equal(ExitCodes.Interrupted, await training);
            await page.WaitForFunctionAsync("() => document.querySelector('dd.status-value').textContent === 'interrupted'", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
            Assert.Equal("", await page.Locator("#live").GetAttributeAsync("data-live"));
            Assert.Empty(problems);
        }
        finally
        {
            stop.Cancel();
            await training;
        }
    }

    private static async Task<T> WaitFor<T>(Func<T?> probe, Task training) where T : struct
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            if (training.IsCompleted) throw new Xunit.Sdk.XunitException($"the training ended early with {await (Task<int>)training}");
            if (probe() is { } value) return value;
            await Task.Delay(50);
        }
        throw new TimeoutException("the run published no progress within 2 minutes");
    }
}
