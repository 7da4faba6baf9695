using System.Diagnostics;
using System.Globalization;
using FcnLab.Dashboard;
using FcnLab.Engine.Training;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;

namespace FcnLab.Benchmarks.Dashboard;

/// <summary>
/// How long `fcnlab serve` takes to answer the runs page over a store with many runs: <see cref="Fill"/> writes synthetic
/// final runs (sweeps named bench-dashboard-*, 100 trials each, a summary but no run directory), <see cref="Measure"/>
/// starts the dashboard on a free port and times whole HTTP requests for the first page, the first cold.
/// </summary>
public static class DashboardLoadBenchmark
{
    public const string SweepPrefix = "bench-dashboard-";
    private const int TrialsPerSweep = 100;

    /// <summary>Adds synthetic completed runs until the store holds at least <paramref name="runs"/> trials; returns how many it added.</summary>
    public static int Fill(IRunStore store, int runs)
    {
        int have = store.ListTrials().Count, added = 0;
        var rng = new Random(15);
        const string owner = "bench-dashboard:0";
        for (int sweep = 0; have + added < runs; sweep++)
        {
            string name = SweepPrefix + sweep.ToString("D4", CultureInfo.InvariantCulture);
            if (store.GetSweep(name) != null) continue;
            store.SaveSweep(name, $"name: {name}");
            int count = Math.Min(TrialsPerSweep, runs - have - added);
            store.AddTrials(Enumerable.Range(0, count).Select(i => new TrialDefinition
            {
                TrialId = $"t{i:D3}",
                Sweep = name,
                Point = [new("lr", (0.001 * (1 + i % 10)).ToString(CultureInfo.InvariantCulture)), new("hidden", (64 << (i % 4)).ToString(CultureInfo.InvariantCulture))],
                Repeat = i / 40,
                Seed = i,
                ConfigJson = "{\"synthetic\": true}",
                RunDir = $"/nonexistent/{name}/t{i:D3}",
            }));
            while (store.ClaimNext(name, owner) is { } trial)
            {
                double acc = 0.8 + 0.1 * rng.NextDouble();
                store.Complete(trial.RunId, owner, new TrialOutcome(new RunSummary
                {
                    Status = RunStatus.Completed, TestAccuracy = acc, TestLoss = 0.4, BestValAccuracy = acc + 0.01, BestValEpoch = 1 + rng.Next(20),
                    EpochsRun = 20, TrainSeconds = 200, SecondsPerEpoch = 10 * rng.NextDouble(), Parameters = 100_000,
                }, null, [], []));
                added++;
            }
        }
        return added;
    }

    /// <summary>Times <paramref name="reads"/> reads of the whole trial list (what each runs page costs the store), in milliseconds.</summary>
    public static IReadOnlyList<double> ListTrials(IRunStore store, int reads)
    {
        var times = new List<double>(reads);
        for (int i = 0; i < reads; i++)
        {
            var clock = Stopwatch.StartNew();
            store.ListTrials();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return times;
    }

    /// <summary>Times <paramref name="requests"/> GETs of <paramref name="path"/> (the first on a fresh server: cold), in milliseconds.</summary>
    public static async Task<IReadOnlyList<double>> Measure(string storeLocation, string path, int requests)
    {
        await using var server = await DashboardServer.StartAsync(new DashboardOptions(storeLocation, Port: 0));
        using var http = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromMinutes(2) };
        var times = new List<double>(requests);
        for (int i = 0; i < requests; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await http.GetAsync(path);
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return times;
    }
}
