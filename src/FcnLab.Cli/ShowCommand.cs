namespace FcnLab.Cli;

/// <summary>fcnlab show RUN: one run from the store: its settings, state, summary and epochs.</summary>
public static class ShowCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("show", "Show one run of the store: settings, status, summary and per-epoch metrics.");
        var run = new Argument<string>("run") { Description = "A run number (from fcnlab runs), a trial id or its first characters, or a run directory." };
        var store = StoreOption.Create();
        var storeTimeout = StoreOption.Timeout();
        command.Options.Add(storeTimeout);
        command.Arguments.Add(run);
        command.Options.Add(store);
        command.SetAction(parse =>
        {
            using var s = RunStores.OpenToRead(RunStores.Resolve(parse.GetValue(store)), StoreOption.Wait(parse.GetValue(storeTimeout)));
            var t = Find(s, parse.GetValue(run)!);
            // A run that trains now (or stopped midway) shows where it stands, as its lifecycle last published it.
            var progress = t.Status is RunStatus.Running or RunStatus.Interrupted ? s.GetProgress(t.RunId) : null;
            Write(stdout, t, s.GetEpochs(t.RunId), progress);
            return ExitCodes.Success;
        });
        return command;
    }

    public static TrialRecord Find(IRunStore store, string key)
    {
        if (long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out long id) && store.GetTrial(id) is { } byId) return byId;
        var matches = store.FindTrials(key.ToLowerInvariant());
        if (matches.Count == 0 && (Directory.Exists(key) || key.Contains('/')))
        {
            string full = Path.GetFullPath(key).TrimEnd('/');
            matches = store.ListTrials().Where(t => Path.GetFullPath(t.Definition.RunDir).TrimEnd('/') == full).ToList();
        }
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new FcnLabException($"No run '{key}' in {store.Location}: give a run number or trial id from `fcnlab runs`, or a run directory."),
            _ => throw new FcnLabException($"'{key}' matches {matches.Count} runs ({string.Join(", ", matches.Take(5).Select(m => $"{m.RunId} {m.TrialId} {m.Sweep ?? "(train)"}"))}): give more characters or the run number."),
        };
    }

    /// <summary>"epoch 3/10, step 120/469, loss 0.4321, 52.1 steps/s".</summary>
    public static string Position(ProgressPosition p) =>
        string.Format(CultureInfo.InvariantCulture, "epoch {0}/{1}, step {2}/{3}, loss {4:F4}{5}", p.Epoch, p.Epochs, p.Step, p.Steps, p.RunningLoss,
            p.StepsPerSecond is { } rate ? string.Format(CultureInfo.InvariantCulture, ", {0:0.#} steps/s", rate) : "");

    private static void Write(TextWriter w, TrialRecord t, IReadOnlyList<EpochMetrics> epochs, RunProgress? progress)
    {
        var inv = CultureInfo.InvariantCulture;
        w.WriteLine($"run {t.RunId}  trial {t.TrialId}  {(t.Sweep == null ? "(fcnlab train)" : $"sweep {t.Sweep}")}");
        string status = Owner.IsGone(t, DateTime.UtcNow)
            ? $"{RunsCommand.Died} (recorded running, but its process {t.Owner} is gone: last heartbeat {t.Heartbeat:u}; the same sweep or a worker takes a trial back, `fcnlab train --resume DIR` continues a run)"
            : $"{t.Status.ToText()}{(t.Owner != null && t.Status == RunStatus.Running ? $" (held by {t.Owner}, heartbeat {t.Heartbeat:u})" : "")}";
        w.WriteLine($"status: {status}; attempts {t.Attempts}");
        if (t.Definition.Point.Count > 0) w.WriteLine($"grid point: {SweepProgress.Describe(t)}");
        w.WriteLine($"seed: {t.Definition.Seed}");
        w.WriteLine($"run directory: {t.Definition.RunDir}");
        w.WriteLine(string.Create(inv, $"created {t.CreatedAt:u}; started {t.StartedAt:u}; finished {t.FinishedAt:u}"));
        if (t.Error != null) w.WriteLine($"{(t.Status == RunStatus.Failed ? "error" : "note")}: {t.Error}");
        if (progress is { Position: var p } && progress.Losses is var losses)
        {
            string left = t.Status == RunStatus.Running && p.Remaining is { } r ? $"; about {StatusCommand.Duration(r)} left at that pace" : "";
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"progress: {Position(p)} (loss: the epoch's mean so far); published {progress.UpdatedAt:u}{left}"));
            if (losses.Count > 0 && losses[^1] is var last)
                w.WriteLine(string.Format(CultureInfo.InvariantCulture, "loss curve: {0} points in the store; the latest {1:F4}, the mean of steps {2}-{3} of epoch {4}",
                    losses.Count, last.Loss, last.Step - last.Steps + 1, last.Step, last.Epoch));
        }
        if (t.Summary is { } s)
        {
            w.WriteLine(string.Format(inv, "test accuracy {0}, test loss {1:F4}; starting val acc {2}; highest val acc {3} (epoch {4}); lowest train loss {5:F4} (epoch {6}); {7} epochs, {8:F2} s/epoch",
                Reporting.Percent(s.TestAccuracy), s.TestLoss, Reporting.Percent(s.StartValAccuracy), Reporting.Percent(s.BestValAccuracy), s.BestValEpoch,
                s.LowestTrainLoss, s.LowestTrainLossEpoch, s.EpochsRun, s.SecondsPerEpoch));
        }
        w.WriteLine($"settings: {t.Definition.ConfigJson}");
        foreach (var e in epochs) w.WriteLine(Reporting.EpochLine(e, epochs.Count));
    }
}
