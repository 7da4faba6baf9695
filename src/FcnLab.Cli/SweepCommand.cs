namespace FcnLab.Cli;

/// <summary>fcnlab sweep SPEC.yaml: expand the grid, record the trials, train those not yet final.</summary>
public static class SweepCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("sweep", "Run a sweep spec (YAML: name, base, axes, repeats; or a search: space, method, trials, objective, pruner): every trial not yet final, recorded in the run store. Stop it at any time; the same command resumes it. With --submit-only, record the trials for `fcnlab worker` processes and return.");
        var spec = new Argument<string>("spec") { Description = "The sweep spec, a YAML file." };
        var store = StoreOption.Create();
        var threads = WholeNumberOption.Create("--threads", "Worker threads per training (never changes results). Default: all cores.");
        var maxTrials = WholeNumberOption.Create("--max-trials", "Stop after training this many trials.");
        var quiet = new Option<bool>("--quiet") { Description = "Print only the final tally." };
        var submitOnly = new Option<bool>("--submit-only") { Description = "Record the sweep and its trials in the store and return; `fcnlab worker` processes (on any machine) train them." };
        var artifacts = StoreOption.Artifacts();
        var grace = StoreOption.GraceSeconds();
        var maxAttempts = StoreOption.MaxAttempts();
        maxAttempts.Description += " Default: no limit (a sweep you restart by hand goes on with its interrupted trial).";
        var epochs = EpochsOverride();
        var progressEvery = StoreOption.ProgressEvery();
        var storeTimeout = StoreOption.Timeout();
        var retryFailed = RetryFailed();
        var timeout = new Option<double?>("--timeout")
        {
            Description = "Wall clock for this invocation: once it has run this many seconds no further trial starts (the trial in training finishes first). The same command again goes on where it stopped.",
            HelpName = "s",
        };
        command.Arguments.Add(spec);
        foreach (var o in new Option[] { epochs, store, storeTimeout, retryFailed, threads, maxTrials, timeout, quiet, submitOnly, artifacts, grace, maxAttempts, progressEvery }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var parsed = WithEpochs(SweepSpecParser.ParseFile(parse.GetValue(spec)!), parse.GetValue(epochs));
            string location = RunStores.Resolve(parse.GetValue(store));
            var wait = StoreOption.Wait(parse.GetValue(storeTimeout));
            if (parse.GetValue(submitOnly)) return Submit(parsed, location, parse.GetValue(artifacts), stdout, wait);
            var options = new SweepRunOptions
            {
                Threads = parse.GetValue(threads),
                MaxTrials = parse.GetValue(maxTrials),
                Grace = StoreOption.Grace(parse.GetValue(grace)),
                MaxAttempts = StoreOption.CheckMaxAttempts(parse.GetValue(maxAttempts)),
                ProgressEvery = StoreOption.ProgressInterval(parse.GetValue(progressEvery)),
                RetryFailed = parse.GetValue(retryFailed),
                Timeout = parse.GetValue(timeout) switch
                {
                    null => null,
                    > 0 and <= 31_536_000 and var t => TimeSpan.FromSeconds(t),
                    var t => throw new FcnLabException($"--timeout must be a number of seconds above 0 (got {t.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)})."),
                },
            };
            return Execute(parsed, location, options, parse.GetValue(quiet), stdout, stderr, parse.GetValue(artifacts), wait);
        });
        return command;
    }

    /// <summary>--retry-failed, taken by sweep and worker.</summary>
    public static Option<bool> RetryFailed() => new("--retry-failed")
    {
        Description = "Run the sweep's failed trials again (from their checkpoint where one was saved): for a fault that has since gone (a full disk, missing data). Diverged trials are results and stay.",
    };

    /// <summary>--epochs N: every trial's epochs, for a quick look at a long spec (new trials: epochs are part of a trial's identity).</summary>
    public static Option<int?> EpochsOverride() =>
        WholeNumberOption.Create("--epochs", "Override the spec's epochs (makes different trials: epochs are part of a trial's identity).");

    public static SweepSpec WithEpochs(SweepSpec spec, int? epochs) => epochs switch
    {
        null => spec,
        < 1 => throw new FcnLabException($"--epochs must be at least 1 (got {epochs})."),
        { } e => spec.WithBaseSetting("epochs", e.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    };

    /// <summary>Records the sweep and its trials for workers and prints how to start them.</summary>
    public static int Submit(SweepSpec spec, string storeLocation, string? artifacts, TextWriter stdout, TimeSpan? storeTimeout = null)
    {
        using var store = RunStores.Open(storeLocation, storeTimeout);
        var (added, tally) = SweepRunner.Submit(spec, store, RunStores.RunsRoot(storeLocation, artifacts));
        stdout.WriteLine(spec.Search != null
            ? $"search {spec.Name} recorded in {store.Location}: {tally.Total} trials, {tally.Total - tally.Pending - tally.Running} final; workers make the others one at a time, each from the trials measured so far"
            : $"sweep {spec.Name}: {tally.Total} trials recorded ({added} new, {tally.Pending} pending, {tally.Total - tally.Pending - tally.Running} final) in {store.Location}");
        stdout.WriteLine($"train them with `fcnlab worker --store STORE --sweep {spec.Name}` on each machine; watch with `fcnlab status {spec.Name} --store STORE`");
        return ExitCodes.Success;
    }

    /// <summary>Runs the sweep and prints the tally; returns the exit code (0, or 4 when some trial failed).</summary>
    public static int Execute(SweepSpec spec, string storeLocation, SweepRunOptions options, bool quiet, TextWriter stdout, TextWriter stderr, string? artifacts = null, TimeSpan? storeTimeout = null)
    {
        if (options.Threads is < 1) throw new FcnLabException($"--threads must be at least 1 (got {options.Threads}).");
        if (options.MaxTrials is < 1) throw new FcnLabException($"--max-trials must be at least 1 (got {options.MaxTrials}).");
        using var store = RunStores.Open(storeLocation, storeTimeout, say: line => stderr.WriteLine($"sweep {spec.Name}: {line}"));
        string runsRoot = RunStores.RunsRoot(storeLocation, artifacts);

        using var interruption = new Interruption(stderr);
        var tally = !quiet && LiveProgress.IsTerminal(stdout)
            ? LiveProgress.Run(ctx => SweepRunner.Run(spec, store, runsRoot, new SweepProgress(stdout, quiet, ctx), options, interruption.Token))
            : SweepRunner.Run(spec, store, runsRoot, new SweepProgress(stdout, quiet, null), options, interruption.Token);
        stdout.WriteLine(TallyLine(spec.Name, tally, store.Location));
        return tally.Failed > 0 ? ExitCodes.TrialsFailed : ExitCodes.Success;
    }

    public static string TallyLine(string sweep, SweepTally t, string storeLocation) =>
        $"sweep {sweep}: {t.Total} trials: {t.Completed} completed, {t.EarlyStopped} early-stopped, {t.Diverged} diverged, {(t.Pruned > 0 ? $"{t.Pruned} pruned, " : "")}{t.Failed} failed, {t.NotYetRun} not yet run; store {storeLocation}";
}
