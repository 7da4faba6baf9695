using System.Diagnostics;
using System.Globalization;
using FcnLab.Engine.Training;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;

namespace FcnLab.Benchmarks.Store;

/// <summary>
/// What the run store costs a worker, measured with the calls a worker makes and nothing else: per trial
/// a claim cycle (read the sweep, take back abandoned trials, claim), one report per epoch, a heartbeat,
/// and the completion (with a 10-class confusion matrix and 50 misclassified examples) and its read-back.
/// Every call is one transaction. The trials it records stay in the store under sweeps named
/// bench-store-*: run it against a scratch database.
/// </summary>
public static class StoreBenchmark
{
    /// <summary>Transactions a worker makes per trial besides its epoch reports and heartbeats: 3 to claim, 2 to finish.</summary>
    public const int FixedTransactionsPerTrial = 5;

    /// <summary>The heartbeat interval of a worker (Lab's default), which the workers-per-server estimate assumes.</summary>
    public static double HeartbeatSeconds => TrialRecorder.DefaultHeartbeatEvery.TotalSeconds;

    /// <summary>One client makes a worker's calls for <paramref name="trials"/> trials of <paramref name="epochs"/> epochs, each call timed.</summary>
    public static StoreLatency Latency(Func<IRunStore> open, int trials, int epochs)
    {
        using var store = open();
        string sweep = SweepName();
        Record(store, sweep, trials);
        var times = new Dictionary<string, List<double>>
        {
            ["read sweep"] = [], ["take back abandoned"] = [], ["claim"] = [], ["epoch report"] = [], ["heartbeat"] = [], ["complete"] = [], ["read trial"] = [],
        };
        string owner = Owner.Current;
        for (int i = 0; i < trials; i++)
        {
            Time(times["read sweep"], () => store.GetSweep(sweep));
            Time(times["take back abandoned"], () => store.ReclaimAbandoned(sweep, TimeSpan.FromSeconds(60), 3));
            var trial = Time(times["claim"], () => store.ClaimNext(sweep, owner))!;
            for (int e = 1; e <= epochs; e++)
                Time(times["epoch report"], () => store.RecordEpoch(trial.RunId, owner, Epoch(e)));
            Time(times["heartbeat"], () => store.Heartbeat(trial.RunId, owner));
            Time(times["complete"], () => store.Complete(trial.RunId, owner, Outcome));
            Time(times["read trial"], () => store.GetTrial(trial.RunId));
        }
        return new StoreLatency([.. times.Select(kv => Cost(kv.Key, kv.Value))]);
    }

    /// <summary>Runs <paramref name="trialsPerClient"/> trials on each of <paramref name="clients"/> threads, each with its own store connection, all at once.</summary>
    public static StoreThroughput Throughput(Func<IRunStore> open, int clients, int trialsPerClient, int epochs)
    {
        string sweep = SweepName();
        using (var setup = open()) Record(setup, sweep, clients * trialsPerClient);
        var stores = Enumerable.Range(0, clients).Select(_ => open()).ToList();
        int done = 0;
        using var start = new Barrier(clients + 1);
        var threads = stores.Select((store, c) => new Thread(() =>
        {
            string owner = $"{Owner.Current}-{c.ToString(CultureInfo.InvariantCulture)}";
            start.SignalAndWait();
            while (true)
            {
                store.GetSweep(sweep);
                store.ReclaimAbandoned(sweep, TimeSpan.FromSeconds(60), 3);
                if (store.ClaimNext(sweep, owner) is not { } trial) break;
                for (int e = 1; e <= epochs; e++) store.RecordEpoch(trial.RunId, owner, Epoch(e));
                store.Heartbeat(trial.RunId, owner);
                store.Complete(trial.RunId, owner, Outcome);
                store.GetTrial(trial.RunId);
                Interlocked.Increment(ref done);
            }
        })).ToList();
        foreach (var t in threads) t.Start();
        start.SignalAndWait();
        var clock = Stopwatch.StartNew();
        foreach (var t in threads) t.Join();
        double seconds = clock.Elapsed.TotalSeconds;
        foreach (var s in stores) s.Dispose();
        // Per trial: the fixed calls, the epoch reports and one heartbeat; each client's last, empty claim cycle too.
        int transactions = done * (FixedTransactionsPerTrial + epochs + 1) + clients * 3;
        return new StoreThroughput(clients, done, transactions, seconds);
    }

    /// <summary>
    /// How many workers one server carries before it saturates: its transaction rate over one worker's
    /// (per trial of <paramref name="trialSeconds"/>: the fixed calls, one report per epoch and a heartbeat every <paramref name="heartbeatSeconds"/>).
    /// </summary>
    public static double WorkersAtSaturation(double transactionsPerSecond, double trialSeconds, int epochs, double heartbeatSeconds) =>
        transactionsPerSecond / ((FixedTransactionsPerTrial + epochs + trialSeconds / heartbeatSeconds) / trialSeconds);

    private static string SweepName() => "bench-store-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A sweep of pending trials; claims need no id filter, as a worker's claims on a sweep whose spec never changed.</summary>
    private static void Record(IRunStore store, string sweep, int trials)
    {
        store.SaveSweep(sweep, $"name: {sweep}\n# written by fcnlab bench-store\n");
        var definitions = Enumerable.Range(0, trials).Select(i => new TrialDefinition
        {
            TrialId = i.ToString("x12", CultureInfo.InvariantCulture),
            Sweep = sweep,
            Point = [new("lr", "0.01"), new("optimizer", "adam")],
            Seed = i,
            ConfigJson = """{"Epochs":20,"Lr":"0.01","Optimizer":"Adam"}""",
            RunDir = $"runs/{sweep}/{i.ToString("x12", CultureInfo.InvariantCulture)}",
        }).ToList();
        store.AddTrials(definitions);
    }

    private static EpochMetrics Epoch(int e) => new(e, 0.5 / e, 0.8, 0.55 / e, 0.78, 0.001, 2.5);

    private static readonly TrialOutcome Outcome = new(
        new RunSummary { Status = RunStatus.Completed, TestAccuracy = 0.88, TestLoss = 0.33, StartValAccuracy = 0.8, BestValAccuracy = 0.89, BestValEpoch = 9, LowestTrainLoss = 0.2, LowestTrainLossEpoch = 10, EpochsRun = 10, TrainSeconds = 25, SecondsPerEpoch = 2.5, Parameters = 1_000_000 },
        new long[10, 10],
        Enumerable.Range(0, 10).Select(i => $"class {i.ToString(CultureInfo.InvariantCulture)}").ToArray(),
        Enumerable.Range(0, 50).Select(i => new Misclassification(i * 7, i % 10, (i + 1) % 10)).ToList());

    private static T Time<T>(List<double> into, Func<T> call)
    {
        long start = Stopwatch.GetTimestamp();
        var result = call();
        into.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        return result;
    }

    private static OperationCost Cost(string operation, List<double> ms)
    {
        var sorted = ms.Order().ToList();
        return new OperationCost(operation, sorted.Count, sorted[sorted.Count / 2], sorted[(int)(sorted.Count * 0.9)], sorted.Average());
    }
}
