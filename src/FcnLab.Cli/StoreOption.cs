namespace FcnLab.Cli;

/// <summary>
/// --store and --store-timeout, taken by every command that reads or writes the run store; --artifacts, --grace-seconds and --max-attempts,
/// taken by those that run or place sweep trials; --progress-every, taken by those that train.
/// </summary>
public static class StoreOption
{
    public static Option<string> Create() => new("--store")
    {
        Description = $"Run store: a SQLite file, or a PostgreSQL server (postgres://USER@HOST:PORT/DB or Host=...;Database=...; give the password by PGPASSWORD or ~/.pgpass). Default: ${RunStores.EnvironmentVariable}, else {RunStores.DefaultLocation}.",
        HelpName = "path|url",
    };

    public static Option<double?> Timeout() => new("--store-timeout")
    {
        Description = "How long to wait for a SQLite run store that another process holds locked before giving up with an error. Default: 30.",
        HelpName = "s",
    };

    /// <summary>The store wait from --store-timeout (default 30 s).</summary>
    public static TimeSpan Wait(double? seconds) => seconds switch
    {
        null => SqliteRunStore.DefaultTimeout,
        >= 0 and <= 86_400 => TimeSpan.FromSeconds(seconds.Value),
        _ => throw new FcnLabException($"--store-timeout must be from 0 to 86400 seconds (got {seconds.Value.ToString(CultureInfo.InvariantCulture)})."),
    };

    public static Option<string> Artifacts() => new("--artifacts")
    {
        Description = $"Directory of the sweep trials' run directories (<dir>/<sweep>/<trial id>); share it (NFS) between machines so a trial taken over resumes from its checkpoint. Default: beside a SQLite store; {RunStores.DefaultArtifacts}/ here for PostgreSQL.",
        HelpName = "dir",
    };

    public static Option<double?> GraceSeconds() => new("--grace-seconds")
    {
        Description = "A running trial whose holder has not beaten for this long is taken back (its holder is presumed dead). Default: 60.",
        HelpName = "s",
    };

    public static Option<int?> MaxAttempts() => new("--max-attempts")
    {
        Description = "A trial whose holders stopped this many times (claimed, never finished) is marked failed instead of taken back again.",
        HelpName = "n",
    };

    public static Option<double?> ProgressEvery() => new("--progress-every")
    {
        Description = "Publish a running training's epoch, step and recent loss to the run store at most this often, so `fcnlab show` (and anything reading the store, on any machine) can follow it live; 0: only when an epoch ends. Each publish is one store transaction: a large cluster of workers publishes less often. Default: 1.",
        HelpName = "s",
    };

    /// <summary>The progress interval from --progress-every (default 1 s).</summary>
    public static TimeSpan ProgressInterval(double? seconds) => seconds switch
    {
        null => RunOptions.DefaultProgressEvery,
        >= 0 and <= 86_400 => TimeSpan.FromSeconds(seconds.Value),
        _ => throw new FcnLabException($"--progress-every must be from 0 to 86400 seconds (got {seconds.Value.ToString(CultureInfo.InvariantCulture)})."),
    };

    /// <summary>The grace period from --grace-seconds (default 60 s).</summary>
    public static TimeSpan Grace(double? seconds) => seconds switch
    {
        null => TimeSpan.FromSeconds(60),
        > 0 and <= 86_400 => TimeSpan.FromSeconds(seconds.Value),
        _ => throw new FcnLabException($"--grace-seconds must be more than 0 and at most 86400 (got {seconds.Value.ToString(CultureInfo.InvariantCulture)})."),
    };

    public static int? CheckMaxAttempts(int? attempts) => attempts is < 1
        ? throw new FcnLabException($"--max-attempts must be at least 1 (got {attempts}).")
        : attempts;
}
