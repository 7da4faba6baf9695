using Spectre.Console;

namespace FcnLab.Cli;

/// <summary>
/// A sweep's progress: a line when a trial starts and when it ends; in a terminal also an overall bar
/// (finished trials) and the current trial's epoch bar. Quiet prints only the final tally (by the caller).
/// </summary>
public sealed class SweepProgress(TextWriter output, bool quiet, ProgressContext? live) : ISweepObserver
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private ProgressTask? _overall;
    private LiveObserver? _training;

    private void Line(string text)
    {
        if (quiet) return;
        if (live != null) AnsiConsole.WriteLine(text);
        else output.WriteLine(text);
    }

    public void FailedRetried(int count) => Line($"--retry-failed: {count} failed trial{(count == 1 ? "" : "s")} set to run again");

    public void SweepStarted(SweepSpec spec, int total, int alreadyFinal, int added, int reclaimed)
    {
        string kind = spec.Search is { } search
            ? $"a {search.Method.ToString().ToLowerInvariant()} search of {search.Objective.Metric}, pruner {search.Pruner.Kind.ToString().ToLowerInvariant()}"
            : $"{SweepGrid.Count(spec) / spec.Repeats} configurations x {spec.Repeats} repeats";
        Line($"sweep {spec.Name}: {total} trials ({kind}); {alreadyFinal} already final, {added} new, {reclaimed} taken back from a stopped process");
        if (live != null)
        {
            _overall = live.AddTask("sweep", maxValue: Math.Max(total, 1));
            _overall.Value = alreadyFinal;
        }
    }

    public ITrainingObserver TrialStarted(TrialRecord trial, int number, int total, bool resuming)
    {
        Line($"[{number}/{total}] {trial.TrialId} {Describe(trial)}{(resuming ? " (resuming from its checkpoint)" : "")}");
        if (_overall != null) _overall.Description = $"sweep {number}/{total}";
        if (live == null) return NullObserver.Instance;
        return _training ??= new LiveObserver(live, quietHeader: true);
    }

    public void TimedOut(TimeSpan limit) =>
        Line(string.Format(Inv, "--timeout {0} s reached: no further trial starts; the same command goes on where this one stopped", limit.TotalSeconds));

    public void TrialFinished(TrialRecord trial, int finished, int total)
    {
        if (_overall != null) _overall.Value = finished;
        Line($"    {trial.TrialId} {Outcome(trial)}  ({finished}/{total} final)");
    }

    /// <summary>"completed: test accuracy 84.20%, 3 epochs, 0.12 s/epoch", "failed: ...", "diverged at epoch 2, step 13".</summary>
    public static string Outcome(TrialRecord trial)
    {
        var s = trial.Summary;
        return trial.Status switch
        {
            RunStatus.Failed => $"failed: {trial.Error}",
            RunStatus.Diverged => $"diverged at epoch {s?.DivergedEpoch}, step {s?.DivergedStep}",
            RunStatus.Pruned when s != null => string.Format(Inv, "{0} (test accuracy of its last weights {1})", s.PruneReason ?? "pruned", Reporting.Percent(s.TestAccuracy)),
            _ when s != null => string.Format(Inv, "{0}: test accuracy {1}, {2} epochs, {3:F2} s/epoch", trial.Status.ToText(), Reporting.Percent(s.TestAccuracy), s.EpochsRun, s.SecondsPerEpoch),
            _ => trial.Status.ToText(),
        };
    }

    /// <summary>"optimizer=adam lr=0.001 seed=2".</summary>
    public static string Describe(TrialRecord trial) =>
        string.Join(" ", trial.Definition.Point.Select(p => $"{p.Key}={p.Value}").Append($"seed={trial.Definition.Seed}"));
}
