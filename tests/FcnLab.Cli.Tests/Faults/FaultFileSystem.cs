using System.Diagnostics;

namespace FcnLab.Cli.Tests.Faults;

/// <summary>
/// A real file system that misbehaves, for one test: a small tmpfs that fills up, or a read-only bind mount. Mounting
/// needs root (CI runs as root); elsewhere the tests that use it are skipped, loudly, by <see cref="MountFactAttribute"/>.
/// </summary>
public sealed class FaultFileSystem : IDisposable
{
    public string Path { get; }

    private FaultFileSystem(string path) => Path = path;

    /// <summary>A tmpfs of <paramref name="kilobytes"/> KiB mounted at a new directory.</summary>
    public static FaultFileSystem Tmpfs(int kilobytes)
    {
        string dir = Directory.CreateTempSubdirectory("fcnlab-tmpfs-").FullName;
        Mount("-t", "tmpfs", "-o", $"size={kilobytes}k", "tmpfs", dir);
        return new FaultFileSystem(dir);
    }

    /// <summary>A read-only view of <paramref name="source"/> (a bind mount remounted read-only), mounted at a new directory.</summary>
    public static FaultFileSystem ReadOnlyView(string source)
    {
        string dir = Directory.CreateTempSubdirectory("fcnlab-ro-").FullName;
        Mount("--bind", source, dir);
        Mount("-o", "remount,ro,bind", dir);
        return new FaultFileSystem(dir);
    }

    /// <summary>Null when mounting works here; else why the tests that need it are skipped.</summary>
    public static string? SkipReason { get; } = Probe();

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux()) return "fault-injection tests need Linux mounts (tmpfs, read-only bind mounts)";
        if (Environment.UserName != "root") return "fault-injection tests mount a small tmpfs and need root (CI runs as root): SKIPPED";
        try
        {
            using var probe = Tmpfs(64);
            return null;
        }
        catch (InvalidOperationException e)
        {
            return $"fault-injection tests cannot mount here ({e.Message}): SKIPPED";
        }
    }

    private static void Mount(params string[] args) => Tool("mount", args);

    private static void Tool(string exe, params string[] args)
    {
        var start = new ProcessStartInfo(exe) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {exe}");
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{exe} {string.Join(' ', args)}: {err.Trim()}");
    }

    public void Dispose()
    {
        try
        {
            Tool("umount", "-l", Path);
            Directory.Delete(Path);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
        }
    }
}

/// <summary>A test that mounts a faulty file system: skipped, saying why, where that cannot be done.</summary>
public sealed class MountFactAttribute : FactAttribute
{
    public MountFactAttribute()
    {
        if (FaultFileSystem.SkipReason is { } reason) Skip = reason;
    }
}
