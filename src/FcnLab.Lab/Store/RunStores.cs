namespace FcnLab.Lab.Store;

/// <summary>Where the run store is and how to open it: --store, else FCNLAB_STORE, else runs/fcnlab.db.</summary>
public static class RunStores
{
    public const string DefaultLocation = "runs/fcnlab.db";
    public const string EnvironmentVariable = "FCNLAB_STORE";

    public static string Resolve(string? flag) =>
        !string.IsNullOrWhiteSpace(flag) ? flag
        : Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env ? env
        : DefaultLocation;

    public static IRunStore Open(string location) => SqliteRunStore.Open(location);

    /// <summary>Sweep trials' run directories live beside the store: &lt;store dir&gt;/&lt;sweep&gt;/&lt;trial id&gt;.</summary>
    public static string RunsRoot(string location) =>
        Path.GetDirectoryName(Path.GetFullPath(location)) ?? Directory.GetCurrentDirectory();
}
