using FcnLab.Benchmarks.Dashboard;

namespace FcnLab.Cli;

/// <summary>
/// fcnlab bench-dashboard --store STORE (hidden): fills the store with synthetic runs up to --runs (sweeps named
/// bench-dashboard-*: use a scratch store), then times the dashboard's runs page, cold and warm (docs/dashboard.md).
/// </summary>
public static class BenchDashboardCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("bench-dashboard", "Fill a scratch store with synthetic runs (bench-dashboard-* sweeps) and time the dashboard's runs page.") { Hidden = true };
        var store = new Option<string>("--store") { Description = "The store (required: it gets bench-dashboard-* sweeps).", HelpName = "path|url", Required = true };
        var runs = new Option<int>("--runs") { Description = "Runs the store holds before timing.", DefaultValueFactory = _ => 10_000, HelpName = "n" };
        var requests = new Option<int>("--requests") { Description = "Requests timed per page (the first cold).", DefaultValueFactory = _ => 20, HelpName = "n" };
        foreach (var o in new Option[] { store, runs, requests }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            string location = parse.GetValue(store)!;
            int n = parse.GetValue(runs), k = parse.GetValue(requests);
            if (n < 1 || k < 2) throw new FcnLabException("--runs must be at least 1 and --requests at least 2.");
            using (var s = RunStores.Open(location))
            {
                int added = DashboardLoadBenchmark.Fill(s, n);
                stdout.WriteLine($"store {s.Location}: {s.ListTrials().Count} runs ({added} added); {Environment.ProcessorCount} cores here");
                var reads = DashboardLoadBenchmark.ListTrials(s, k).Order().ToList();
                stdout.WriteLine(string.Format(Inv, "IRunStore.ListTrials() alone: median {0,7:F1} ms, max {1,7:F1} ms ({2} reads)", reads[reads.Count / 2], reads[^1], reads.Count));
            }
            foreach (string path in (string[])["/", "/?sort=test&desc=1", "/?q=lr%3D0.005&status=completed"])
            {
                var times = DashboardLoadBenchmark.Measure(location, path, k).GetAwaiter().GetResult();
                var warm = times.Skip(1).Order().ToList();
                stdout.WriteLine(string.Format(Inv, "GET {0,-34} cold {1,8:F1} ms; warm median {2,7:F1} ms, max {3,7:F1} ms ({4} requests)",
                    path, times[0], warm[warm.Count / 2], warm[^1], warm.Count));
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
