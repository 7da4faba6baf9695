using System.Globalization;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;

namespace FcnLab.Benchmarks.Store;

/// <summary>
/// What publishing a run's progress (<see cref="IRunStore.PublishProgress"/>: position, one loss window, heartbeat, in one
/// transaction) costs the store, beside the heartbeat it replaces while a run trains, and what a follower's read costs.
/// Like <see cref="StoreBenchmark"/> it writes bench-store-* sweeps: run it against a scratch database.
/// </summary>
public static class StoreProgressBenchmark
{
    /// <summary>
    /// Latency of a publish, a heartbeat and a follower's read (the latest position and the points after the last one
    /// it has), alternated call by call on one claimed trial so a busy machine slows all three alike.
    /// </summary>
    public static IReadOnlyList<OperationCost> Latency(Func<IRunStore> open, int publishes)
    {
        using var store = open();
        var (runId, owner) = Claim(store);
        var times = new Dictionary<string, List<double>> { ["progress publish"] = [], ["heartbeat"] = [], ["progress read"] = [] };
        for (int i = 1; i <= publishes; i++)
        {
            var (position, window) = Step(i);
            StoreBenchmark.Time(times["progress publish"], () => store.PublishProgress(runId, owner, position, window, newAttempt: i == 1));
            StoreBenchmark.Time(times["heartbeat"], () => store.Heartbeat(runId, owner));
            StoreBenchmark.Time(times["progress read"], () => store.GetProgress(runId, window.Epoch, window.Step - window.Steps));
        }
        return times.Select(kv => StoreBenchmark.Cost(kv.Key, kv.Value)).ToList();
    }

    /// <summary><paramref name="clients"/> threads, each with its own connection and trial, each making <paramref name="publishesPerClient"/> publishes as fast as the store takes them.</summary>
    public static StoreThroughput Throughput(Func<IRunStore> open, int clients, int publishesPerClient)
    {
        var stores = Enumerable.Range(0, clients).Select(_ => open()).ToList();
        var trials = stores.Select(Claim).ToList();
        double seconds = StoreBenchmark.Together(stores.Select<IRunStore, Action>((store, c) => () =>
        {
            var (runId, owner) = trials[c];
            for (int i = 1; i <= publishesPerClient; i++)
            {
                var (position, window) = Step(i);
                store.PublishProgress(runId, owner, position, window, newAttempt: i == 1);
            }
        }).ToList());
        foreach (var s in stores) s.Dispose();
        return new StoreThroughput(clients, clients, clients * publishesPerClient, seconds);
    }

    /// <summary>
    /// Transactions a worker makes per second, training trials of <paramref name="trialSeconds"/> with <paramref name="epochs"/>
    /// epochs: per trial the fixed calls (<see cref="StoreBenchmark.FixedTransactionsPerTrial"/>), per epoch one (its metrics
    /// with the publish of its last steps), and while it trains a publish every <paramref name="progressSeconds"/> (each also a
    /// heartbeat) or, when that is 0 (epoch ends only) or longer than the heartbeat, a write every <paramref name="heartbeatSeconds"/>.
    /// </summary>
    public static double TransactionsPerWorker(double trialSeconds, int epochs, double heartbeatSeconds, double progressSeconds) =>
        (StoreBenchmark.FixedTransactionsPerTrial + epochs + trialSeconds / (progressSeconds > 0 ? Math.Min(progressSeconds, heartbeatSeconds) : heartbeatSeconds)) / trialSeconds;

    private static (long RunId, string Owner) Claim(IRunStore store)
    {
        string sweep = "bench-store-progress-" + Guid.NewGuid().ToString("N")[..8];
        string owner = Owner.Current + "-" + Guid.NewGuid().ToString("N")[..4];
        store.SaveSweep(sweep, $"name: {sweep}\n# written by fcnlab bench-store\n");
        store.AddTrials([new TrialDefinition { TrialId = "000000000000", Sweep = sweep, ConfigJson = """{"Epochs":20}""", RunDir = $"runs/{sweep}/000000000000" }]);
        return (store.ClaimNext(sweep, owner)!.RunId, owner);
    }

    /// <summary>Publish number <paramref name="i"/> of a run of 469 steps per epoch publishing every 25 steps.</summary>
    private static (ProgressPosition Position, LossWindow Window) Step(int i)
    {
        const int Steps = 469, Every = 25;
        int done = i * Every, epoch = 1 + (done - 1) / Steps, step = 1 + (done - 1) % Steps;
        int span = Math.Min(Every, step);
        return (new ProgressPosition(epoch, 20, step, Steps, 0.5 / epoch, 60.0), new LossWindow(epoch, step, span, 0.5 / epoch + 0.001 * (i % 7)));
    }

    /// <summary>"1 s", "0 (epoch ends only)".</summary>
    public static string Interval(double seconds) =>
        seconds > 0 ? seconds.ToString("0.###", CultureInfo.InvariantCulture) + " s" : "0 (epoch ends only)";
}
