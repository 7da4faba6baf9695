namespace FcnLab.Cli;

/// <summary>fcnlab status SWEEP: how far a sweep is, who is running what, and when it should end.</summary>
public static class StatusCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("status", "Show where a sweep stands: pending, running (by which worker, since when, last heartbeat), completed and failed trials, throughput and an ETA.");
        var sweep = new Argument<string>("sweep") { Description = "The sweep's name (fcnlab runs lists them)." };
        var store = StoreOption.Create();
        var storeTimeout = StoreOption.Timeout();
        command.Options.Add(storeTimeout);
        var grace = StoreOption.GraceSeconds();
        grace.Description = "Flag running trials whose last heartbeat is older than this as stale (the workers' --grace-seconds). Default: 60.";
        command.Arguments.Add(sweep);
        command.Options.Add(store);
        command.Options.Add(grace);
        command.SetAction(parse =>
        {
            using var s = RunStores.OpenToRead(RunStores.Resolve(parse.GetValue(store)), StoreOption.Wait(parse.GetValue(storeTimeout)));
            string name = parse.GetValue(sweep)!;
            var record = s.RequireSweep(name);
            // The trials of the spec the sweep was last submitted with (run directories do not matter here).
            var spec = SweepSpecParser.Parse(record.SpecText, $"the stored spec of sweep '{name}'");
            var trials = spec.Search != null ? [.. s.ListTrials(name)] : s.CurrentTrials(name, SweepGrid.Index(spec, Directory.GetCurrentDirectory()));
            // A search's trials not suggested yet are pending too: its total is the spec's, not the store's count.
            var status = SweepStatus.Of(name, trials, spec.Search?.Trials);
            Write(stdout, status, s.Location, StoreOption.Grace(parse.GetValue(grace)), DateTime.UtcNow, runId => s.GetProgress(runId, int.MaxValue));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The status; <paramref name="progress"/> gives a running trial's published position (without its loss curve).</summary>
    public static void Write(TextWriter w, SweepStatus status, string location, TimeSpan grace, DateTime now, Func<long, RunProgress?> progress)
    {
        var t = status.Tally;
        w.WriteLine($"sweep {status.Sweep}: {t.Total} trials: {t.Pending} pending, {t.Running} running, {t.Completed} completed, {t.EarlyStopped} early-stopped, {t.Diverged} diverged, {(t.Pruned > 0 ? $"{t.Pruned} pruned, " : "")}{t.Failed} failed, {t.Interrupted} interrupted; store {location}");
        if (status.Running.Count > 0)
        {
            w.WriteLine("running:");
            foreach (var r in status.Running)
            {
                var beat = r.Heartbeat is { } h ? now - h : (TimeSpan?)null;
                string stale = beat is { } b && b > grace ? $"  STALE (no heartbeat for longer than the {Seconds(grace)} grace): the next worker to look takes it back" : "";
                string at = progress(r.RunId) is { } p ? $", {ShowCommand.Position(p.Position)}" : "";
                w.WriteLine($"  run {r.RunId} trial {r.TrialId} ({SweepProgress.Describe(r)}) held by {r.Owner} since {r.StartedAt:u} ({Duration(now - (r.StartedAt ?? now))}), last heartbeat {(beat is { } x ? Duration(x) + " ago" : "never")}, attempt {r.Attempts}{at}{stale}");
            }
        }
        if (status.Failed.Count > 0)
        {
            w.WriteLine("failed:");
            foreach (var f in status.Failed) w.WriteLine($"  run {f.RunId} trial {f.TrialId} ({SweepProgress.Describe(f)}): {f.Error}");
        }
        int left = t.NotYetRun;
        if (status.TrialsPerHour is { } rate)
            w.WriteLine(string.Format(Inv, "throughput: {0:0.#} trials/hour ({1:0.##} per minute) so far; {2}", rate, rate / 60,
                left == 0 ? "every trial is final" : $"ETA {Duration(status.Eta!.Value)} for the {Trials(left)} left at that pace"));
        else
            w.WriteLine(left == 0 ? "throughput: no trial ran" : $"throughput: no trial has finished yet; {Trials(left)} left");
    }

    private static string Trials(int n) => n == 1 ? "1 trial" : string.Create(Inv, $"{n} trials");

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", Inv) + " s";

    /// <summary>"45 s", "12 min 5 s", "3 h 20 min".</summary>
    public static string Duration(TimeSpan t)
    {
        if (t < TimeSpan.Zero) t = TimeSpan.Zero;
        if (t.TotalMinutes < 1) return t.TotalSeconds.ToString("0.#", Inv) + " s";
        if (t.TotalHours < 1) return string.Create(Inv, $"{(int)t.TotalMinutes} min {t.Seconds} s");
        return string.Create(Inv, $"{(int)t.TotalHours} h {t.Minutes} min");
    }
}
