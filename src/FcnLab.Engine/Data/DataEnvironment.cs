namespace FcnLab.Engine.Data;

/// <summary>
/// The parts of the machine the data set search looks at, injectable so tests control the search
/// without touching the real environment, home directory or /usr/share.
/// </summary>
/// <param name="GetVariable">Reads an environment variable (FCNLAB_DATA); null when unset.</param>
/// <param name="HomeDirectory">The user's home, for ~/.fcnlab/datasets; null when there is none.</param>
/// <param name="SystemRoot">Where system packages install data sets: /usr/share/datasets.</param>
public sealed record DataEnvironment(Func<string, string?> GetVariable, string? HomeDirectory, string SystemRoot)
{
    public const string DataVariable = "FCNLAB_DATA";

    /// <summary>The real process environment.</summary>
    public static DataEnvironment Default { get; } = new(
        Environment.GetEnvironmentVariable,
        NullIfEmpty(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)) ?? NullIfEmpty(Environment.GetEnvironmentVariable("HOME")),
        "/usr/share/datasets");

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
