using FcnLab.Engine;

namespace FcnLab.Lab.Sweeps;

/// <summary>
/// The study specs (studies/*.yaml) that `fcnlab reproduce` runs: found in --studies DIR, else
/// FCNLAB_STUDIES, else a studies/ directory in the working directory or above the program.
/// </summary>
public static class StudyCatalog
{
    public const string EnvironmentVariable = "FCNLAB_STUDIES";

    public static string FindDirectory(string? flag)
    {
        if (!string.IsNullOrWhiteSpace(flag))
            return Directory.Exists(flag) ? flag : throw new FcnLabException($"--studies '{flag}' is not a directory.");
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env)
            return Directory.Exists(env) ? env : throw new FcnLabException($"{EnvironmentVariable}='{env}' is not a directory.");
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                if (Directory.Exists(Path.Combine(d.FullName, "studies")) && Directory.GetFiles(Path.Combine(d.FullName, "studies"), "*.yaml").Length > 0)
                    return Path.Combine(d.FullName, "studies");
        throw new FcnLabException($"No studies/ directory with *.yaml specs found from {Directory.GetCurrentDirectory()}; give --studies DIR or set {EnvironmentVariable}.");
    }

    /// <summary>Every study spec in the directory, by name.</summary>
    public static IReadOnlyList<SweepSpec> List(string directory) =>
        Directory.GetFiles(directory, "*.yaml").Order(StringComparer.Ordinal).Select(SweepSpecParser.ParseFile).ToList();

    /// <summary>A study by name (the file name without .yaml), or a path to a spec file.</summary>
    public static SweepSpec Find(string directory, string study)
    {
        if (File.Exists(study)) return SweepSpecParser.ParseFile(study);
        string path = Path.Combine(directory, study.EndsWith(".yaml", StringComparison.Ordinal) ? study : study + ".yaml");
        if (File.Exists(path)) return SweepSpecParser.ParseFile(path);
        var known = Directory.GetFiles(directory, "*.yaml").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal);
        throw new FcnLabException($"No study '{study}' in {directory}. Known studies: {string.Join(", ", known)} (fcnlab reproduce --list describes them).");
    }
}
