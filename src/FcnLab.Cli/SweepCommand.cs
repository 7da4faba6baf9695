using System.CommandLine;
using FcnLab.Engine;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;
using Spectre.Console;

namespace FcnLab.Cli;

/// <summary>fcnlab sweep SPEC.yaml: expand the grid, record the trials, train those not yet final.</summary>
public static class SweepCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("sweep", "Run a sweep spec (YAML: name, base, axes, repeats): every trial not yet final, recorded in the run store. Stop it at any time; the same command resumes it.");
        var spec = new Argument<string>("spec") { Description = "The sweep spec, a YAML file." };
        var store = StoreOption.Create();
        var threads = WholeNumberOption.Create("--threads", "Worker threads per training (never changes results). Default: all cores.");
        var maxTrials = WholeNumberOption.Create("--max-trials", "Stop after training this many trials.");
        var quiet = new Option<bool>("--quiet") { Description = "Print only the final tally." };
        var epochs = EpochsOverride();
        command.Arguments.Add(spec);
        command.Options.Add(epochs);
        command.Options.Add(store);
        command.Options.Add(threads);
        command.Options.Add(maxTrials);
        command.Options.Add(quiet);
        command.SetAction(parse =>
        {
            var parsed = WithEpochs(SweepSpecParser.ParseFile(parse.GetValue(spec)!), parse.GetValue(epochs));
            return Execute(parsed, RunStores.Resolve(parse.GetValue(store)), parse.GetValue(threads), parse.GetValue(maxTrials), parse.GetValue(quiet), stdout);
        });
        return command;
    }

    /// <summary>--epochs N: every trial's epochs, for a quick look at a long spec (new trials: epochs are part of a trial's identity).</summary>
    public static Option<int?> EpochsOverride() =>
        WholeNumberOption.Create("--epochs", "Override the spec's epochs (makes different trials: epochs are part of a trial's identity).");

    public static SweepSpec WithEpochs(SweepSpec spec, int? epochs) => epochs switch
    {
        null => spec,
        < 1 => throw new FcnLabException($"--epochs must be at least 1 (got {epochs})."),
        { } e => spec.WithBaseSetting("epochs", e.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    };

    /// <summary>Runs the sweep and prints the tally; returns the exit code (0, or 4 when some trial failed).</summary>
    public static int Execute(SweepSpec spec, string storeLocation, int? threads, int? maxTrials, bool quiet, TextWriter stdout)
    {
        if (threads is < 1) throw new FcnLabException($"--threads must be at least 1 (got {threads}).");
        if (maxTrials is < 1) throw new FcnLabException($"--max-trials must be at least 1 (got {maxTrials}).");
        using var store = RunStores.Open(storeLocation);
        var options = new SweepRunOptions { Threads = threads, MaxTrials = maxTrials };
        string runsRoot = RunStores.RunsRoot(storeLocation);

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        SweepTally tally;
        try
        {
            bool live = !quiet && ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
            if (live)
            {
                SweepTally? t = null;
                AnsiConsole.Progress()
                    .AutoClear(true)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .Start(ctx => t = SweepRunner.Run(spec, store, runsRoot, new SweepProgress(stdout, quiet, ctx), options, cancel.Token));
                tally = t!;
            }
            else
            {
                tally = SweepRunner.Run(spec, store, runsRoot, new SweepProgress(stdout, quiet, null), options, cancel.Token);
            }
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        stdout.WriteLine(TallyLine(spec.Name, tally, store.Location));
        return tally.Failed > 0 ? ExitCodes.TrialsFailed : ExitCodes.Success;
    }

    public static string TallyLine(string sweep, SweepTally t, string storeLocation) =>
        $"sweep {sweep}: {t.Total} trials: {t.Completed} completed, {t.EarlyStopped} early-stopped, {t.Diverged} diverged, {t.Failed} failed, {t.Pending + t.Running} not yet run; store {storeLocation}";
}
