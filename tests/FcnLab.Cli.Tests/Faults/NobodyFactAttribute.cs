namespace FcnLab.Cli.Tests.Faults;

/// <summary>A test that runs `fcnlab` as user nobody: skipped, saying why, where that cannot be done (not root, no setpriv).</summary>
public sealed class NobodyFactAttribute : FactAttribute
{
    private static readonly string? SkipReason = Probe();

    public NobodyFactAttribute()
    {
        if (SkipReason is { } reason) Skip = reason;
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux()) return "permission tests run fcnlab as user nobody through setpriv (Linux): SKIPPED";
        if (Environment.UserName != "root") return "permission tests run fcnlab as user nobody, which needs root (root itself ignores file modes): SKIPPED";
        try
        {
            using var p = new FcnlabProcess(["--version"], Path.GetTempPath(), asNobody: true);
            if (!p.WaitForExit(TimeSpan.FromMinutes(1)) || p.ExitCode != 0)
                return $"user nobody cannot run {FcnlabProcess.Executable} here ({p.Output.Trim()}): SKIPPED";
            return null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"cannot run fcnlab as user nobody here ({e.Message}): SKIPPED";
        }
    }
}
