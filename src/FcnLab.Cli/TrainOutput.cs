namespace FcnLab.Cli;

/// <summary>What `fcnlab train` prints at the end: the `--json` document, or the evaluation and the final line. The one place its JSON is written.</summary>
public static class TrainOutput
{
    /// <summary>train --json: run_dir, the summary, every epoch and the test evaluation, as one document.</summary>
    public static string Json(string runDir, TrainResult result) => CommandJson.Document(
        new TrainJson(runDir, SummaryJson.Of(result.Summary), [.. result.Epochs.Select(EpochJson.Of)],
            result.Test is { } test ? EvaluationJson.Of(test, result.ClassNames) : null),
        CommandJson.Default.TrainJson);

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
