using FcnLab.Cli;
using FcnLab.Cli.Tests;
using FcnLab.Lab.Store;
using FcnLab.Lab.Tests.Store;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace FcnLab.Dashboard.Tests;

/// <summary>
/// A real `fcnlab train` started in the background (in-process, on IDX data the test writes) is followed on its
/// open run page: new epochs and steps appear without a reload, read from the store the run publishes to.
/// </summary>
public sealed class LiveTrainingTests(ITestOutputHelper output) : IDisposable
{
    // Enough data that an epoch takes a while (63 steps), so the page sees epochs arrive one after another.
    private readonly CliHarness _h = new(train: 2000, test: 100, size: 12, classes: 4);

    /// <summary>
    /// How many new epochs the open page must show: 2, or FCNLAB_LIVE_EPOCHS for the measurement in docs/dashboard.md
    /// (the delay from each epoch's commit in the store to its row on the page, printed, never asserted).
    /// </summary>
    private static int NewEpochs => int.TryParse(Environment.GetEnvironmentVariable("FCNLAB_LIVE_EPOCHS"), out int n) && n >= 2 ? n : 2;

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

            // When each epoch is committed to the store, seen from another connection polled every 10 ms.
            // Only epochs committed after its first poll have a commit time.
            var committed = new System.Collections.Concurrent.ConcurrentDictionary<int, DateTime>();
            int countAtStart = -1;
            using var watching = new CancellationTokenSource();
            var watcher = Task.Run(async () =>
            {
                using var s = RunStores.Open(store);
                while (!watching.IsCancellationRequested)
                {
                    int count = s.GetEpochs(runId).Count;
                    if (countAtStart < 0) countAtStart = count;
                    else committed.TryAdd(count, DateTime.UtcNow);
                    await Task.Delay(10);
                }
            });

            await using var server = await DashboardServer.StartAsync(new DashboardOptions(store, Port: 0));
            await using var chromium = await Chromium.LaunchAsync();
            var problems = new List<string>();
            var page = await chromium.NewPageAsync(problems);
            await page.GotoAsync($"{server.Url}runs/{runId}");
            Assert.Equal("running", await page.Locator("dd.status-value").TextContentAsync());
            await page.EvaluateAsync("() => { window.__notReloaded = true; }");
            // When each epoch's row appears on the page (the browser's clock, which is this machine's).
            await page.EvaluateAsync("""
                () => {
                    window.__rowsSeen = {};
                    const note = () => { const n = document.querySelectorAll('#epochs tbody tr').length; if (!(n in window.__rowsSeen)) window.__rowsSeen[n] = Date.now(); };
                    note();
                    new MutationObserver(note).observe(document.getElementById('live'), { childList: true, subtree: true });
                }
                """);
            int epochsAtLoad = await page.Locator("#epochs tbody tr").CountAsync();
            string progressAtLoad = (await page.Locator("dd.progress").TextContentAsync())!;
            // At least two more epochs arrive in the open page (so the second one it shows is new).
            int want = Math.Max(2, epochsAtLoad + NewEpochs);
            await page.WaitForFunctionAsync($"() => document.querySelectorAll('#epochs tbody tr').length >= {want}", null, new PageWaitForFunctionOptions { Timeout = 120_000, PollingInterval = 100 });
            Assert.True(await page.EvaluateAsync<bool>("() => window.__notReloaded === true"), "the page was reloaded");
            // The epochs table can trail the published position at load, so wait for the position to move too.
            await page.WaitForFunctionAsync("p => document.querySelector('dd.progress').textContent !== p", progressAtLoad, new PageWaitForFunctionOptions { Timeout = 120_000, PollingInterval = 100 });
            // The progress line and the epochs table come from one snapshot of the store: the position is in the epoch
            // after the last row, or at the end of an epoch whose row is written in the same commit as the position.
            var (shownEpoch, rows) = await ProgressAndRows(page);
            Assert.True(shownEpoch - rows is 0 or 1, $"the progress line says epoch {shownEpoch} beside {rows} epochs");
            watching.Cancel();
            await watcher;
            var seen = await page.EvaluateAsync<Dictionary<string, long>>("() => window.__rowsSeen");
            // Per new epoch n: from the first poll that saw n epochs in the store to the first moment the page showed n rows
            // (several epochs can arrive in one refresh).
            var shown = seen.Select(kv => (Rows: int.Parse(kv.Key, System.Globalization.CultureInfo.InvariantCulture), At: DateTimeOffset.FromUnixTimeMilliseconds(kv.Value).UtcDateTime)).ToList();
            int from = Math.Max(epochsAtLoad, countAtStart);
            var delays = Enumerable.Range(from + 1, Math.Max(0, shown.Max(p => p.Rows) - from))
                .Where(n => committed.Keys.Any(c => c >= n))
                .Select(n => (shown.Where(p => p.Rows >= n).Min(p => p.At) - committed.Where(c => c.Key >= n).Min(c => c.Value)).TotalMilliseconds)
                .Order().ToList();
            output.WriteLine($"live delay, {(RunStores.IsPostgres(store) ? "PostgreSQL" : "SQLite")}: epoch committed -> row on the open page, {delays.Count} epochs: median {(delays.Count > 0 ? delays[delays.Count / 2] : double.NaN):F0} ms, all [{string.Join(", ", delays.Select(d => d.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}] ms; load {File.ReadAllText("/proc/loadavg").Trim()}");
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

    /// <summary>The epoch the progress line names and the rows of the epochs table, read from the page at one moment.</summary>
    private static async Task<(int Epoch, int Rows)> ProgressAndRows(IPage page)
    {
        var both = await page.EvaluateAsync<int[]>("() => [parseInt(document.querySelector('dd.progress').textContent.match(/epoch (\\d+)/)[1]), document.querySelectorAll('#epochs tbody tr').length]");
        return (both[0], both[1]);
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
