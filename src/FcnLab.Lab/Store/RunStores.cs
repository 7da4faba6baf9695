namespace FcnLab.Lab.Store;

/// <summary>
/// Where the run store is and how to open it: --store, else FCNLAB_STORE, else runs/fcnlab.db. A
/// postgres:// URL or an Npgsql connection string (Host=...) names a PostgreSQL server; anything else is a
/// SQLite file.
/// </summary>
public static class RunStores
{
    public const string DefaultLocation = "runs/fcnlab.db";
    public const string EnvironmentVariable = "FCNLAB_STORE";

    /// <summary>Where run directories go for a PostgreSQL store when --artifacts is not given (relative to the working directory).</summary>
    public const string DefaultArtifacts = "runs";

    public static string Resolve(string? flag) =>
        !string.IsNullOrWhiteSpace(flag) ? flag
        : Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env ? env
        : DefaultLocation;

    public static bool IsPostgres(string location) => PostgresLocation.Is(location);

    /// <param name="timeout">How long a SQLite store locked by another process, or a PostgreSQL server that cannot be reached, is waited for (default 30 s).</param>
    /// <param name="say">Told once when a server's connection is lost and tried again, and once when it is back.</param>
    public static IRunStore Open(string location, TimeSpan? timeout = null, Action<string>? say = null) =>
        IsPostgres(location) ? PostgresRunStore.Open(location, timeout ?? SqliteRunStore.DefaultTimeout, say) : SqliteRunStore.Open(location, timeout);

    /// <summary>The store to read it: a SQLite file must exist (nothing is created) and may be read-only (<see cref="SqliteRunStore.OpenToRead"/>).</summary>
    public static IRunStore OpenToRead(string location, TimeSpan? timeout = null) =>
        IsPostgres(location) ? PostgresRunStore.Open(location, timeout ?? SqliteRunStore.DefaultTimeout) : SqliteRunStore.OpenToRead(location, timeout);

    /// <summary>
    /// Where sweep trials' run directories go (&lt;root&gt;/&lt;sweep&gt;/&lt;trial id&gt;), as a full path:
    /// <paramref name="artifacts"/> when given; else beside a SQLite store's file, or runs/ in the working
    /// directory for a server, which has no directory of its own.
    /// </summary>
    public static string RunsRoot(string location, string? artifacts = null) =>
        !string.IsNullOrWhiteSpace(artifacts) ? Path.GetFullPath(artifacts)
        : IsPostgres(location) ? Path.GetFullPath(DefaultArtifacts)
        : Path.GetDirectoryName(Path.GetFullPath(location)) ?? Directory.GetCurrentDirectory();
}
