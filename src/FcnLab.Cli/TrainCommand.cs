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
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("train", "Train a network (default: the first study's 784-1200-2000-800-10 ReLU, SGD lr 0.025, 20 epochs, batch 512) and test it once at the end.");
        var settings = new SettingOptions(command, TrainSettings.All);
        var preset = new Option<string>("--preset") { Description = $"A whole recipe that explicit flags override: {string.Join(", ", Presets.All.Select(p => p.Name))}.", HelpName = "name" };
        var output = new Option<string>("--out") { Description = "Run directory. Default: runs/<timestamp>-<short description>.", HelpName = "dir" };
        var quiet = new Option<bool>("--quiet") { Description = "Print only the final line." };
        var json = new Option<bool>("--json") { Description = "Print one JSON document on stdout and nothing else there." };
        var store = StoreOption.Create();
        command.Options.Add(preset);
        command.Options.Add(store);
        command.Options.Add(output);
        command.Options.Add(quiet);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var config = Presets.Resolve(new TrainConfig(), parse.GetValue(preset), settings.Given(parse));
            return Execute(config, parse.GetValue(output), parse.GetValue(quiet), parse.GetValue(json), RunStores.Resolve(parse.GetValue(store)), stdout, stderr);
        });
        return command;
    }

    public static int Execute(TrainConfig config, string? outDir, bool quiet, bool json, string storeLocation, TextWriter stdout, TextWriter stderr)
    {
        config.Validate();
        var data = DatasetCatalog.Load(config.DataOptions);
        string runDir = outDir ?? DefaultRunDir(config);

        // Every training is recorded in the run store too, as a run outside any sweep.
        using var store = RunStores.Open(storeLocation);
        string canonical = TrialIdentity.CanonicalJson(config);
        long runId = store.StartRun(new TrialDefinition { TrialId = TrialIdentity.Hash(canonical), ConfigJson = canonical, Seed = config.Seed, RunDir = Path.GetFullPath(runDir) }, Owner.Current);

        using var cancel = new CancellationTokenSource();
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
                    .Start(ctx => r = Trainer.Run(config, data, runDir, new TrialRecorder(store, runId, Owner.Current, new LiveObserver(ctx)), cancel.Token));
                result = r!;
            }
            else
            {
                var progress = json ? NullObserver.Instance : (ITrainingObserver)new PlainObserver(stdout, quiet);
                result = Trainer.Run(config, data, runDir, new TrialRecorder(store, runId, Owner.Current, progress), cancel.Token);
            }
        }
        catch (OperationCanceledException)
        {
            store.Fail(runId, Owner.Current, "interrupted (Ctrl-C)");
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
        ? $"{s.Status} at epoch {s.DivergedEpoch}, step {s.DivergedStep}; run directory {runDir}"
        : string.Format(CultureInfo.InvariantCulture, "{0}: test accuracy {1}, test loss {2:F4}, {3} epochs, {4:F2} s/epoch; run directory {5}",
            s.Status, Reporting.Percent(s.TestAccuracy), s.TestLoss, s.EpochsRun, s.SecondsPerEpoch, runDir);

    private static string DefaultRunDir(TrainConfig c)
    {
        string arch = c.Hidden.Length == 0 ? "softmax" : string.Join("x", c.Hidden);
        string name = string.Create(CultureInfo.InvariantCulture,
            $"{DateTime.Now:yyyyMMdd-HHmmss}-{c.Preset ?? Optimizer.ToFlag(c.Optimizer.Kind)}-lr{c.Optimizer.Lr:G4}-{arch}{(c.BatchNorm ? "-bn" : "")}");
        string dir = Path.Combine("runs", name);
        for (int i = 2; Directory.Exists(dir); i++) dir = Path.Combine("runs", $"{name}-{i}");
        return dir;
    }
}
