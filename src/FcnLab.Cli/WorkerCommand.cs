namespace FcnLab.Cli;

/// <summary>fcnlab worker: claim pending sweep trials from the store one at a time and train them, on as many machines as you like.</summary>
public static class WorkerCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("worker", "Train pending sweep trials from the run store, one at a time, until told to stop: start one per machine (or per core with --threads 1) on a shared store (PostgreSQL) to run one sweep on many machines.");
        var store = StoreOption.Create();
        var sweep = new Option<string>("--sweep") { Description = "Only this sweep's trials. Default: any sweep in the store.", HelpName = "name" };
        var maxTrials = new Option<int?>("--max-trials") { Description = "Stop after training this many trials.", HelpName = "n" };
        var exitWhenIdle = new Option<bool>("--exit-when-idle") { Description = "Exit once every trial of the sweep (or of every sweep) is final, instead of waiting for new work." };
        var grace = StoreOption.GraceSeconds();
        var maxAttempts = StoreOption.MaxAttempts();
        maxAttempts.Description += $" Default: {DefaultMaxAttempts}.";
        var artifacts = StoreOption.Artifacts();
        var workerName = new Option<string>("--worker-name")
        {
            Description = "This worker's name in the store is NAME:PID (default: the machine's name). A holder is judged dead by its process id only when NAME is this machine's name, else by its heartbeat: give containers that share a host name distinct names.",
            HelpName = "name",
        };
        var threads = new Option<int?>("--threads") { Description = "Worker threads per training (never changes results). Default: the trial's own setting (all cores).", HelpName = "n" };
        var progressEvery = StoreOption.ProgressEvery();
        var storeTimeout = StoreOption.Timeout();
        var retryFailed = SweepCommand.RetryFailed();
        foreach (var o in new Option[] { store, storeTimeout, retryFailed, sweep, maxTrials, exitWhenIdle, grace, maxAttempts, artifacts, workerName, threads, progressEvery }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var run = new SweepRunOptions
            {
                Threads = parse.GetValue(threads) is < 1 and var t ? throw new Engine.FcnLabException($"--threads must be at least 1 (got {t}).") : parse.GetValue(threads),
                MaxTrials = parse.GetValue(maxTrials) is < 1 and var m ? throw new Engine.FcnLabException($"--max-trials must be at least 1 (got {m}).") : parse.GetValue(maxTrials),
                Grace = StoreOption.Grace(parse.GetValue(grace)),
                MaxAttempts = StoreOption.CheckMaxAttempts(parse.GetValue(maxAttempts)) ?? DefaultMaxAttempts,
                Owner = parse.GetValue(workerName) is { } name ? Owner.Named(name) : Owner.Current,
                ProgressEvery = StoreOption.ProgressInterval(parse.GetValue(progressEvery)),
            };
            var options = new WorkerOptions { Sweep = parse.GetValue(sweep), ExitWhenIdle = parse.GetValue(exitWhenIdle), Run = run, RetryFailed = parse.GetValue(retryFailed) };
            string location = RunStores.Resolve(parse.GetValue(store));
            return Execute(location, RunStores.RunsRoot(location, parse.GetValue(artifacts)), options, stdout, stderr, StoreOption.Wait(parse.GetValue(storeTimeout)));
        });
        return command;
    }

    /// <summary>Claims a trial whose holders keep dying at most this often (OOM kills would otherwise go round the workers forever).</summary>
    public const int DefaultMaxAttempts = 3;

    public static int Execute(string location, string runsRoot, WorkerOptions options, TextWriter stdout, TextWriter stderr, TimeSpan? storeTimeout = null)
    {
        // A server restarting is said once on stderr when the connection goes and once when it is back.
        using var store = RunStores.Open(location, storeTimeout, say: line => stderr.WriteLine($"worker {options.Run.Owner}: {line}"));
        var log = new WorkerLog(stdout, options.Run.Owner);
        log.Note(string.Create(CultureInfo.InvariantCulture,
            $"serving {(options.Sweep == null ? "every sweep" : $"sweep {options.Sweep}")} of {store.Location}; run directories under {runsRoot}; grace {options.Run.Grace.TotalSeconds:0.###} s, max attempts {options.Run.MaxAttempts}"));

        // Ctrl-C, SIGTERM (as a batch system or Kubernetes sends it) and SIGHUP stop after saving the current trial's checkpoint.
        using var interruption = new Interruption(stderr);
        var tally = new SweepWorker(store, runsRoot, log, options).Run(interruption.Token);
        log.Note($"done: trained {tally.Ran} trials: {tally.Completed} completed, {tally.EarlyStopped} early-stopped, {tally.Diverged} diverged, {(tally.Pruned > 0 ? $"{tally.Pruned} pruned, " : "")}{tally.Failed} failed, {tally.TakenOver} taken over by another worker");
        return tally.Failed > 0 ? ExitCodes.TrialsFailed : ExitCodes.Success;
    }

    /// <summary>One line per event, each starting "worker HOST:PID:" so the logs of many workers can be merged.</summary>
    private sealed class WorkerLog(TextWriter output, string owner) : IWorkerObserver
    {
        public void Note(string message)
        {
            output.WriteLine($"worker {owner}: {message}");
            output.Flush();
        }

        public ITrainingObserver TrialStarted(TrialRecord trial, bool resuming)
        {
            Note($"trial {trial.TrialId} of sweep {trial.Sweep} started ({SweepProgress.Describe(trial)}; attempt {trial.Attempts}){(resuming ? ", resuming from its checkpoint" : "")}");
            return NullObserver.Instance;
        }

        public void TrialFinished(TrialRecord trial, bool takenOver)
        {
            string outcome = takenOver ? "taken over by another worker (this one missed its heartbeat); nothing recorded here" : SweepProgress.Outcome(trial);
            Note($"trial {trial.TrialId} of sweep {trial.Sweep} {outcome}");
        }
    }
}
