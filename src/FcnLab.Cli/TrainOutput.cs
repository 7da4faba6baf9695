using System.Globalization;
using FcnLab.Engine.Training;

namespace FcnLab.Cli;

/// <summary>What `fcnlab train` prints at the end: the `--json` document, or the evaluation and the final line. The one place its JSON is written.</summary>
public static class TrainOutput
{
    /// <summary>train --json: run_dir, the summary, every epoch and the test evaluation, as one document.</summary>
    public static string Json(string runDir, TrainResult result) => RunDirectory.Json(w =>
    {
        w.WriteString("run_dir", runDir);
        w.WriteStartObject("summary");
        RunDirectory.WriteSummaryFields(w, result.Summary);
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
    });

    /// <summary>Without --json: the test evaluation (unless quiet), then one line with the outcome and the run directory.</summary>
    public static void WriteText(TextWriter stdout, string runDir, TrainResult result, bool quiet)
    {
        if (!quiet && result.Test != null)
        {
            stdout.WriteLine();
            Reporting.WriteEvaluation(stdout, result.Test, result.ClassNames);
            stdout.WriteLine();
        }
        stdout.WriteLine(FinalLine(result.Summary, runDir));
    }

    public static string FinalLine(RunSummary s, string runDir) => s.Status == RunStatus.Diverged
        ? $"{s.Status.ToText()} at epoch {s.DivergedEpoch}, step {s.DivergedStep}; run directory {runDir}"
        : string.Format(CultureInfo.InvariantCulture, "{0}: test accuracy {1}, test loss {2:F4}, {3} epochs, {4:F2} s/epoch; run directory {5}",
            s.Status.ToText(), Reporting.Percent(s.TestAccuracy), s.TestLoss, s.EpochsRun, s.SecondsPerEpoch, runDir);
}
