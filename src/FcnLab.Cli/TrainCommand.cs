using System.CommandLine;
using System.Globalization;
using FcnLab.Engine;
using FcnLab.Engine.Data;
using FcnLab.Engine.Models;
using FcnLab.Engine.Optim;
using FcnLab.Engine.Training;
using FcnLab.Lab.Reports;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;
using Spectre.Console;

namespace FcnLab.Cli;

/// <summary>fcnlab train: flags -> TrainConfig -> Trainer; renders progress and the final evaluation.</summary>
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
        var quiet = new Option<bool>("--quiet") { Description = "Print only the final line." };
        var json = new Option<bool>("--json") { Description = "Print one JSON document on stdout and nothing else there." };
        var resume = new Option<string>("--resume") { Description = "Continue an interrupted or finished run in place from its checkpoint, to --epochs in total (default: its own); only --epochs, --threads, --quiet and --json may be given with it.", HelpName = "run_dir" };
        var store = StoreOption.Create();
        command.Options.Add(preset);
        command.Options.Add(resume);
        command.Options.Add(store);
        command.Options.Add(output);
        command.Options.Add(quiet);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var given = settings.Given(parse);
            string storeLocation = RunStores.Resolve(parse.GetValue(store));
            if (parse.GetValue(resume) is { } runDir)
            {
                var others = given.Select(g => g.Key).Where(name => !ResumeSettings.Contains(name)).Select(name => "--" + name).ToList();
                if (parse.GetResult(preset) is { Implicit: false }) others.Add("--preset");
                if (parse.GetResult(output) is { Implicit: false }) others.Add("--out");
                if (others.Count > 0)
                    throw new FcnLabException($"--resume continues a run with its own settings; {string.Join(", ", others)} cannot be given with it (only --epochs, --threads, --quiet and --json can).");
                return Resume(runDir, given, parse.GetValue(quiet), parse.GetValue(json), storeLocation, stdout, stderr, cancel);
            }
            var config = Presets.Resolve(new TrainConfig(), parse.GetValue(preset), given);
            return Execute(config, parse.GetValue(output), parse.GetValue(quiet), parse.GetValue(json), storeLocation, stdout, stderr, cancel);
        });
        return command;
    }

    public static int Execute(TrainConfig config, string? outDir, bool quiet, bool json, string storeLocation, TextWriter stdout, TextWriter stderr, CancellationToken cancel = default)
    {
        config.Validate();
        var data = DatasetCatalog.Load(config.DataOptions);
        string runDir = outDir ?? DefaultRunDir(config);
        return Train((observer, token) => Trainer.Run(config, data, runDir, observer, token), config, data, runDir, storeLocation, quiet, json, stdout, stderr, cancel);
    }

    /// <summary>train --resume: the checkpoint's config with only --epochs and --threads applied on top.</summary>
    private static int Resume(string runDir, List<KeyValuePair<string, string>> given, bool quiet, bool json, string storeLocation, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        var checkpoint = Checkpoint.Load(runDir);
        var config = TrainSettings.Apply(checkpoint.Config, given);
        var data = DatasetCatalog.Load(config.DataOptions);
        int? epochs = given.Any(g => g.Key == "epochs") ? config.Epochs : null;
        int? threads = given.Any(g => g.Key == "threads") ? config.Threads : null;
        return Train((observer, token) => Trainer.Resume(checkpoint, runDir, data, observer, epochs, threads, token), config, data, runDir, storeLocation, quiet, json, stdout, stderr, cancel);
    }

    /// <summary>
    /// Runs a training with progress output and Ctrl-C handling, records it in the run store (a run
    /// outside any sweep; a resume is recorded as a new run of the same directory), then prints the result.
    /// </summary>
    private static int Train(Func<ITrainingObserver, CancellationToken, TrainResult> train, TrainConfig config, ImageDataset data, string runDir, string storeLocation,
        bool quiet, bool json, TextWriter stdout, TextWriter stderr, CancellationToken external)
    {
        using var store = RunStores.Open(storeLocation);
        string canonical = TrialIdentity.CanonicalJson(config);
        long runId = store.StartRun(new TrialDefinition { TrialId = TrialIdentity.Hash(canonical), ConfigJson = canonical, Seed = config.Seed, RunDir = Path.GetFullPath(runDir) }, Owner.Current);
        TrialRecorder? recorder = null;
        ITrainingObserver Recorded(ITrainingObserver progress) => recorder = new TrialRecorder(store, runId, Owner.Current, progress);

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(external);
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        TrainResult result;
        try
        {
            bool live = !json && !quiet && ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
            if (live)
            {
                TrainResult? r = null;
                AnsiConsole.Progress()
                    .AutoClear(true)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .Start(ctx => r = train(Recorded(new LiveObserver(ctx)), cancel.Token));
                result = r!;
            }
            else
            {
                result = train(Recorded(json ? NullObserver.Instance : new PlainObserver(stdout, quiet)), cancel.Token);
            }
        }
        catch (OperationCanceledException)
        {
            bool saved = Checkpoint.Exists(runDir);
            store.Fail(runId, Owner.Current, saved ? $"interrupted (Ctrl-C); continue with: fcnlab train --resume {runDir}" : "interrupted (Ctrl-C)");
            if (saved) stderr.WriteLine($"Checkpoint saved in {runDir}; continue with: fcnlab train --resume {runDir}");
            throw;
        }
        catch (FcnLabException e)
        {
            store.Fail(runId, Owner.Current, e.Message);
            throw;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            recorder?.Dispose();
        }

        store.Complete(runId, Owner.Current, TrialRecorder.Outcome(result));
        RunPlots.Write(runDir, result, new ReportImages(data.Test, data.ImageShape, data.ClassNames));

        var s = result.Summary;
        if (json)
        {
            stdout.Write(RunDirectory.Json(w =>
            {
                w.WriteString("run_dir", runDir);
                w.WriteStartObject("summary");
                RunDirectory.WriteSummaryFields(w, s);
                w.WriteEndObject();
                w.WriteStartArray("epochs");
                foreach (var e in result.Epochs)
                {
                    w.WriteStartObject();
                    w.WriteNumber("epoch", e.Epoch);
                    w.WriteNumber("train_loss", e.TrainLoss);
                    w.WriteNumber("train_accuracy", e.TrainAccuracy);
                    RunDirectory.WriteNullable(w, "val_loss", e.ValLoss);
                    RunDirectory.WriteNullable(w, "val_accuracy", e.ValAccuracy);
                    w.WriteNumber("lr", e.Lr);
                    w.WriteNumber("seconds", Math.Round(e.Seconds, 3));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                if (result.Test != null)
                {
                    w.WriteStartObject("test");
                    Reporting.WriteEvaluationJson(w, result.Test, result.ClassNames);
                    w.WriteEndObject();
                }
            }));
        }
        else
        {
            if (!quiet && result.Test != null)
            {
                stdout.WriteLine();
                Reporting.WriteEvaluation(stdout, result.Test, result.ClassNames);
                stdout.WriteLine();
            }
            stdout.WriteLine(FinalLine(s, runDir));
        }
        return s.Status == RunStatus.Diverged ? ExitCodes.Diverged : ExitCodes.Success;
    }

    public static string FinalLine(RunSummary s, string runDir) => s.Status == RunStatus.Diverged
        ? $"{s.Status.ToText()} at epoch {s.DivergedEpoch}, step {s.DivergedStep}; run directory {runDir}"
        : string.Format(CultureInfo.InvariantCulture, "{0}: test accuracy {1}, test loss {2:F4}, {3} epochs, {4:F2} s/epoch; run directory {5}",
            s.Status.ToText(), Reporting.Percent(s.TestAccuracy), s.TestLoss, s.EpochsRun, s.SecondsPerEpoch, runDir);

    private static string DefaultRunDir(TrainConfig c)
    {
        string arch = c.Arch != null ? (ArchSpec.Named.ContainsKey(c.Arch.Trim().ToLowerInvariant()) ? c.Arch.Trim().ToLowerInvariant() : "arch")
            : c.Hidden.Length == 0 ? "softmax" : string.Join("x", c.Hidden);
        string name = string.Create(CultureInfo.InvariantCulture,
            $"{DateTime.Now:yyyyMMdd-HHmmss}-{c.Preset ?? Optimizer.ToFlag(c.Optimizer.Kind)}-lr{c.Optimizer.Lr:G4}-{arch}{(c.BatchNorm ? "-bn" : "")}");
        string dir = Path.Combine("runs", name);
        for (int i = 2; Directory.Exists(dir); i++) dir = Path.Combine("runs", $"{name}-{i}");
        return dir;
    }
}
