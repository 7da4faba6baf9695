using System.Diagnostics;
using System.Globalization;

namespace FcnLab.Lab.Store;

/// <summary>Who holds a running trial: "host:pid". Lets a restarted sweep tell a dead holder on this host from a live one.</summary>
public static class Owner
{
    public static string Current { get; } = Named(Environment.MachineName);

    /// <summary>"name:pid" for this process, as if on host <paramref name="name"/> (`fcnlab worker --worker-name`).</summary>
    public static string Named(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Any(char.IsWhiteSpace))
            throw new FcnLab.Engine.FcnLabException($"A worker name must be a non-empty word without spaces (got '{name}').");
        return $"{name}:{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>True when <paramref name="owner"/> names a process on this host that no longer runs (or is not an fcnlab process any more we cannot tell: a live pid counts as alive).</summary>
    public static bool IsDeadOnThisHost(string? owner)
    {
        if (owner == null) return true;
        int colon = owner.LastIndexOf(':');
        if (colon < 0 || owner[..colon] != Environment.MachineName) return false;
        if (!int.TryParse(owner.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) return false;
        if (pid == Environment.ProcessId) return false;
        try
        {
            using var p = Process.GetProcessById(pid);
            return p.HasExited;
        }
        catch (ArgumentException)
        {
            return true; // no such process
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    /// <summary>A heartbeat older than this means its holder is gone (the default grace of sweeps and workers).</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(60);

    /// <summary>
    /// True when <paramref name="trial"/> is recorded running but its process is gone: a dead pid on this host, or no
    /// heartbeat for <see cref="StaleAfter"/> (a process on another host). `fcnlab runs` and `show` say so instead of running.
    /// </summary>
    public static bool IsGone(TrialRecord trial, DateTime utcNow) =>
        trial.Status == FcnLab.Engine.Training.RunStatus.Running
        && (IsDeadOnThisHost(trial.Owner) || trial.Heartbeat is not { } beat || utcNow - beat > StaleAfter);
}
