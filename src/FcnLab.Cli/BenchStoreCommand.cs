using FcnLab.Benchmarks.Store;

namespace FcnLab.Cli;

/// <summary>
/// fcnlab bench-store --store STORE (hidden): what the run store costs per claim and per epoch report, its
/// transaction rate with concurrent clients, and from it how many workers one server carries. It writes
/// sweeps named bench-store-* into the store: use a scratch database (BENCHMARKS.md, docs/scale-out.md).
/// </summary>
public static class BenchStoreCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("bench-store", "Measure the run store: latency of a worker's calls, transactions per second with concurrent clients, workers one server carries. Writes bench-store-* sweeps: use a scratch store.")
        {
            Hidden = true,
        };
        var store = new Option<string>("--store") { Description = "The store to measure (required: it gets bench-store-* sweeps).", HelpName = "path|url", Required = true };
        var trials = new Option<int>("--trials") { Description = "Trials for the latency run.", DefaultValueFactory = _ => 300, HelpName = "n" };
        var epochs = new Option<int>("--epochs") { Description = "Epoch reports per trial.", DefaultValueFactory = _ => 10, HelpName = "n" };
        var clients = new Option<string>("--clients") { Description = "Concurrent clients for the throughput runs, comma-separated.", DefaultValueFactory = _ => "1,2,4,8", HelpName = "list" };
        foreach (var o in new Option[] { store, trials, epochs, clients }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            string location = parse.GetValue(store)!;
            int n = parse.GetValue(trials), e = parse.GetValue(epochs);
            if (n < 10 || e < 1) throw new FcnLabException("--trials must be at least 10 and --epochs at least 1.");
            var counts = parse.GetValue(clients)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(c => int.TryParse(c, NumberStyles.None, Inv, out int k) && k is >= 1 and <= 64 ? k : throw new FcnLabException($"--clients takes counts from 1 to 64 (got '{c}').")).ToList();
            IRunStore Open() => RunStores.Open(location);
            using (var probe = Open()) stdout.WriteLine($"store {probe.Location}; {Environment.ProcessorCount} cores here; {n} trials of {e} epochs");

            stdout.WriteLine("latency, one client (ms):");
            stdout.WriteLine(string.Format(Inv, "  {0,-20} {1,7} {2,8} {3,8} {4,8}", "call", "count", "median", "p90", "mean"));
            var latency = StoreBenchmark.Latency(Open, n, e);
            foreach (var c in latency.Costs)
                stdout.WriteLine(string.Format(Inv, "  {0,-20} {1,7} {2,8:F3} {3,8:F3} {4,8:F3}", c.Operation, c.Count, c.MedianMs, c.P90Ms, c.MeanMs));
            stdout.WriteLine(string.Format(Inv, "  a worker's claim (read sweep + take back + claim): {0:F3} ms median; an epoch report: {1:F3} ms",
                latency.ClaimCycleMs, latency.EpochReportMs));

            stdout.WriteLine("throughput, concurrent clients each doing a worker's calls with no training between them:");
            double best = 0;
            foreach (int k in counts)
            {
                var t = StoreBenchmark.Throughput(Open, k, Math.Max(10, n / k), e);
                best = Math.Max(best, t.TransactionsPerSecond);
                stdout.WriteLine(string.Format(Inv, "  {0,2} clients: {1,5} trials, {2,6} transactions in {3,6:F2} s = {4,7:F0} transactions/s", k, t.Trials, t.Transactions, t.Seconds, t.TransactionsPerSecond));
            }
            double heartbeat = StoreBenchmark.HeartbeatSeconds;
            stdout.WriteLine(string.Format(Inv, "workers one server carries at {0:F0} transactions/s (heartbeat every {1:0.###} s; {2} epochs a trial):", best, heartbeat, e));
            foreach (double seconds in new[] { 10.0, 60, 120, 600 })
                stdout.WriteLine(string.Format(Inv, "  trials of {0,4:F0} s: {1,8:F0} workers", seconds, StoreBenchmark.WorkersAtSaturation(best, seconds, e, heartbeat)));
            WriteProgressCosts(stdout, Open, 2 * n, e, counts);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>What publishing a training's progress adds (--progress-every): the calls' latency, publishes per second with concurrent clients, and the workers one server carries at each interval.</summary>
    private static void WriteProgressCosts(TextWriter stdout, Func<IRunStore> open, int publishes, int epochs, IReadOnlyList<int> counts)
    {
        stdout.WriteLine("progress publishing, one client (ms; publish, heartbeat and read alternated call by call):");
        stdout.WriteLine(string.Format(Inv, "  {0,-20} {1,7} {2,8} {3,8} {4,8}", "call", "count", "median", "p90", "mean"));
        foreach (var c in StoreProgressBenchmark.Latency(open, publishes))
            stdout.WriteLine(string.Format(Inv, "  {0,-20} {1,7} {2,8:F3} {3,8:F3} {4,8:F3}", c.Operation, c.Count, c.MedianMs, c.P90Ms, c.MeanMs));

        stdout.WriteLine("progress publishes with concurrent clients, each its own trial, back to back:");
        double best = 0;
        foreach (int k in counts)
        {
            var t = StoreProgressBenchmark.Throughput(open, k, Math.Max(50, publishes / k));
            best = Math.Max(best, t.TransactionsPerSecond);
            stdout.WriteLine(string.Format(Inv, "  {0,2} clients: {1,6} publishes in {2,6:F2} s = {3,7:F0} publishes/s", k, t.Transactions, t.Seconds, t.TransactionsPerSecond));
        }
        stdout.WriteLine(string.Format(Inv, "workers one server carries at {0:F0} publishes/s ({1} epochs a trial; a heartbeat every 5 s where no publish comes sooner):", best, epochs));
        double[] intervals = [1, 2, 5, 0];
        stdout.WriteLine(new string(' ', 19) + string.Concat(intervals.Select(p => $"  {"--progress-every " + StoreProgressBenchmark.Interval(p),30}")));
        foreach (double seconds in new[] { 10.0, 60, 120, 600 })
            stdout.WriteLine(string.Format(Inv, "  trials of {0,4:F0} s:", seconds)
                + string.Concat(intervals.Select(p => string.Format(Inv, "  {0,22:F0} workers", best / StoreProgressBenchmark.TransactionsPerWorker(seconds, epochs, 5, p)))));
    }
}
