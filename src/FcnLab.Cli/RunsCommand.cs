namespace FcnLab.Cli;

/// <summary>fcnlab runs: the runs in the store (one sweep's, or all), one line each.</summary>
public static class RunsCommand
{
    /// <summary>What a run recorded running whose process is gone is shown as (<see cref="Owner.IsGone"/>).</summary>
    public const string Died = "died";

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("runs", "List the runs in the run store with their status: every `fcnlab train` and every sweep trial.");
        var sweep = new Option<string>("--sweep") { Description = "Only this sweep's trials.", HelpName = "name" };
        var store = StoreOption.Create();
        var storeTimeout = StoreOption.Timeout();
        command.Options.Add(storeTimeout);
        command.Options.Add(sweep);
        command.Options.Add(store);
        command.SetAction(parse =>
        {
            using var s = RunStores.OpenToRead(RunStores.Resolve(parse.GetValue(store)), StoreOption.Wait(parse.GetValue(storeTimeout)));
            string? name = parse.GetValue(sweep);
            if (name != null) s.RequireSweep(name);
            var trials = s.ListTrials(name);
            stdout.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,5}  {1,-12}  {2,-20}  {3,-13}  {4,8}  {5,6}  {6}", "run", "trial", "sweep", "status", "test acc", "epochs", "settings"));
            var now = DateTime.UtcNow;
            foreach (var t in trials)
                stdout.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,5}  {1,-12}  {2,-20}  {3,-13}  {4,8}  {5,6}  {6}",
                    t.RunId, t.TrialId, t.Sweep ?? "(train)", Owner.IsGone(t, now) ? Died : t.Status.ToText(), Reporting.Percent(t.Summary?.TestAccuracy), t.Summary?.EpochsRun.ToString(CultureInfo.InvariantCulture) ?? "",
                    t.Sweep == null ? t.Definition.RunDir : SweepProgress.Describe(t)));
            stdout.WriteLine($"{trials.Count} runs in {s.Location}");
            if (trials.Any(t => Owner.IsGone(t, now)))
                stdout.WriteLine($"{Died}: recorded running, but its process is gone; the same sweep or a worker takes a trial back, `fcnlab train --resume DIR` continues a run.");
            return ExitCodes.Success;
        });
        return command;
    }
}
