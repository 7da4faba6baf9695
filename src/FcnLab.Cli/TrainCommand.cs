namespace FcnLab.Cli;

/// <summary>fcnlab train: flags -> TrainConfig -> the run lifecycle (<see cref="RunLifecycle"/>); renders progress and the final evaluation.</summary>
public static class TrainCommand
{
    /// <summary>The only flags --resume takes: the run's own settings decide everything else.</summary>
    private static readonly string[] ResumeSettings = ["epochs", "threads"];

    public static Command Create(TextWriter stdout, TextWriter stderr, CancellationToken cancel = default)
    {
        var command = new Command("train", "Train a network (default: the first study's 784-1200-2000-800-10 ReLU, SGD lr 0.025, 20 epochs, batch 512) and test it once at the end.");
        var settings = new SettingOptions(command, TrainSettings.All);
        var preset = new Option<string>("--preset") { Description = $"A whole recipe that explicit flags override: {string.Join(", ", Presets.All.Select(p => p.Name))}.", HelpName = "name" };
        var output = new Option<string>("--out") { Description = "Run directory. Default: runs/<timestamp>-<short description>.", HelpName = "dir" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Train in --out even when it already holds a run (its files are replaced) or other files." };
        var quiet = new Option<bool>("--quiet") { Description = "Print only the final line." };
        var json = new Option<bool>("--json") { Description = "Print one JSON document on stdout and nothing else there." };
        var resume = new Option<string>("--resume") { Description = "Continue an interrupted or finished run in place from its checkpoint, to --epochs in total (default: its own), recorded in the run store it was recorded in (unless --store names another); only --epochs, --threads, --store, --quiet and --json may be given with it.", HelpName = "run_dir" };
        var store = StoreOption.Create();
        var progressEvery = StoreOption.ProgressEvery();
        var storeTimeout = StoreOption.Timeout();
        foreach (var o in new Option[] { preset, resume, store, storeTimeout, progressEvery, output, overwrite, quiet, json }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var given = settings.Given(parse);
            string storeLocation = RunStores.Resolve(parse.GetValue(store));
            var run = new RunOptions { ProgressEvery = StoreOption.ProgressInterval(parse.GetValue(progressEvery)), StoreTimeout = StoreOption.Wait(parse.GetValue(storeTimeout)) };
            if (parse.GetValue(resume) is { } runDir)
            {
                var others = given.Select(g => g.Key).Where(name => !ResumeSettings.Contains(name)).Select(name => "--" + name).ToList();
                if (parse.GetResult(preset) is { Implicit: false }) others.Add("--preset");
                if (parse.GetResult(output) is { Implicit: false }) others.Add("--out");
                if (parse.GetResult(overwrite) is { Implicit: false }) others.Add("--overwrite");
                if (others.Count > 0)
                    throw new FcnLabException($"--resume continues a run with its own settings; {string.Join(", ", others)} cannot be given with it (only --epochs, --threads, --quiet and --json can).");
                return Resume(runDir, given, parse.GetValue(quiet), parse.GetValue(json), parse.GetValue(store), run, stdout, stderr, cancel);
            }
            var config = Presets.Resolve(new TrainConfig(), parse.GetValue(preset), given);
            return Execute(config, parse.GetValue(output), parse.GetValue(overwrite), parse.GetValue(quiet), parse.GetValue(json), storeLocation, run, stdout, stderr, cancel);
        });
        return command;
    }

    public static int Execute(TrainConfig config, string? outDir, bool overwrite, bool quiet, bool json, string storeLocation, RunOptions run, TextWriter stdout, TextWriter stderr, CancellationToken cancel = default)
    {
        config.Validate();
        var data = DatasetCatalog.Load(config.DataOptions);
        using var folder = RunFolder.ClaimNew(outDir, overwrite, config);
        return Train(RunStart.Fresh(config), data, folder.RunDir, storeLocation, run, quiet, json, stdout, stderr, cancel);
    }

    /// <summary>
    /// train --resume: the checkpoint's config with only --epochs and --threads applied on top, recorded in the run's own
    /// store (the one its checkpoint names) unless --store names another; a run that names none goes to $FCNLAB_STORE or the default.
    /// </summary>
    private static int Resume(string runDir, List<KeyValuePair<string, string>> given, bool quiet, bool json, string? storeFlag, RunOptions run, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        using var folder = RunFolder.ClaimExisting(runDir);
        var checkpoint = Checkpoint.Load(runDir);
        string storeLocation = string.IsNullOrWhiteSpace(storeFlag) && checkpoint.State.RecordedIn is { Length: > 0 } own ? own : RunStores.Resolve(storeFlag);
        // --epochs and --threads are parsed (and checked, by flag name) through their declarations; only the
        // epochs become part of the run's settings, the threads go to the trainer as this process's own.
        var parsed = TrainSettings.Apply(checkpoint.Config, given);
        var data = DatasetCatalog.Load(checkpoint.Config.DataOptions);
        int? epochs = given.Any(g => g.Key == "epochs") ? parsed.Epochs : null;
        int? threads = given.Any(g => g.Key == "threads") ? parsed.Threads : null;
        return Train(RunStart.From(checkpoint, epochs, threads), data, runDir, storeLocation, run, quiet, json, stdout, stderr, cancel);
    }

    /// <summary>Runs the training through the run lifecycle with progress output and Ctrl-C handling, then prints the result.</summary>
    private static int Train(RunStart start, ImageDataset data, string runDir, string storeLocation, RunOptions run,
        bool quiet, bool json, TextWriter stdout, TextWriter stderr, CancellationToken external)
    {
        using var store = RunStores.Open(storeLocation, run.StoreTimeout, say: stderr.WriteLine);
        using var interruption = new Interruption(stderr, external);
        TrainResult result;
        try
        {
            result = !json && !quiet && LiveProgress.IsTerminal(stdout)
                ? LiveProgress.Run(ctx => RunLifecycle.Train(store, start, data, runDir, new LiveObserver(ctx), run, interruption.Token))
                : RunLifecycle.Train(store, start, data, runDir, json ? NullObserver.Instance : new PlainObserver(stdout, quiet), run, interruption.Token);
        }
        catch (OperationCanceledException)
        {
            if (Checkpoint.Exists(runDir)) stderr.WriteLine($"Checkpoint saved in {runDir}; continue with: fcnlab train --resume {runDir}");
            throw;
        }

        if (json) stdout.Write(TrainOutput.Json(runDir, result));
        else TrainOutput.WriteText(stdout, runDir, result, quiet);
        return result.Summary.Status == RunStatus.Diverged ? ExitCodes.Diverged : ExitCodes.Success;
    }
}
