using System.Globalization;
using FcnLab.Engine;
using FcnLab.Engine.IO;

namespace FcnLab.Lab.Runs;

/// <summary>
/// A run directory held by this process while it trains in it: an exclusive lock (flock, through FileShare.None) on
/// .fcnlab-lock inside it, with .fcnlab-lock-holder beside it saying which process holds it. The operating system drops the lock when the process
/// ends, however it ends, so a killed run never leaves its directory locked. Disposing removes the file.
/// </summary>
public sealed class RunDirectoryLock : IDisposable
{
    public const string FileName = ".fcnlab-lock";

    /// <summary>Beside the lock: "pid N on host H, since T" of the process that holds it.</summary>
    public const string HolderFileName = ".fcnlab-lock-holder";

    // EWOULDBLOCK/EAGAIN on Linux: another process holds the lock (.NET keeps the errno in the HResult).
    private const int Ewouldblock = 11;

    private readonly FileStream _file;

    /// <summary>The run directory, as the caller named it.</summary>
    public string RunDir { get; }

    private RunDirectoryLock(string runDir, FileStream file)
    {
        RunDir = runDir;
        _file = file;
    }

    /// <summary>Locks <paramref name="runDir"/> (created when missing), or null with who holds it when another process does.</summary>
    public static RunDirectoryLock? TryAcquire(string runDir, out string? holder)
    {
        string full = Path.GetFullPath(runDir);
        AtomicFile.CreateDirectory(full);
        string path = Path.Combine(full, FileName);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (HeldElsewhere(e))
        {
            holder = ReadHolder(Path.Combine(full, HolderFileName));
            return null;
        }
        catch (Exception e) when (FileFault.Is(e))
        {
            throw FileFault.Describe("lock the run directory", full, e);
        }
        holder = null;
        // Who holds it, in a file beside the lock: a locked file cannot be read by another process (.NET takes a shared
        // flock to read). Without it (a full disk) the lock still holds; a refusal then cannot name the holder.
        string holderPath = Path.Combine(full, HolderFileName);
        try
        {
            File.WriteAllText(holderPath, string.Create(CultureInfo.InvariantCulture,
                $"pid {Environment.ProcessId} on host {Environment.MachineName}, since {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss}Z\n"));
        }
        catch (Exception e) when (FileFault.Is(e))
        {
            TryDelete(holderPath);
        }
        return new RunDirectoryLock(runDir, file);
    }

    /// <summary>Locks <paramref name="runDir"/>, or says which process trains in it.</summary>
    /// <exception cref="FcnLabException">Another process holds it.</exception>
    public static RunDirectoryLock Acquire(string runDir) =>
        TryAcquire(runDir, out string? holder)
        ?? throw new FcnLabException($"The run directory {Path.GetFullPath(runDir)} is in use by another fcnlab process ({holder ?? "its pid and host could not be read"}); wait for it to end, or stop it first.");

    private static bool HeldElsewhere(IOException e) =>
        (!OperatingSystem.IsWindows() && e.HResult == Ewouldblock)
        || e.Message.Contains("being used by another process", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// What the holder wrote ("pid N on host H, since T"), or null when it cannot be read. The holder writes it just
    /// after taking the lock, so a process that finds the lock taken a moment earlier waits for it briefly.
    /// </summary>
    private static string? ReadHolder(string path)
    {
        for (int attempt = 0; attempt < 20; attempt++)
        {
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(stream);
                if (reader.ReadLine() is { Length: > 0 } line && line.EndsWith('Z')) return line;
            }
            catch (Exception e) when (FileFault.Is(e))
            {
            }
            Thread.Sleep(50);
        }
        return null;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (FileFault.Is(e))
        {
        }
    }

    /// <summary>Removes the lock files while still holding the lock, then lets go: the run directory holds only the run's files.</summary>
    public void Dispose()
    {
        TryDelete(Path.Combine(RunDir, HolderFileName));
        TryDelete(Path.Combine(RunDir, FileName));
        _file.Dispose();
    }
}
