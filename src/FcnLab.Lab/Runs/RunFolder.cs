using FcnLab.Engine;
using FcnLab.Engine.Training;

namespace FcnLab.Lab.Runs;

/// <summary>
/// Which directory a `fcnlab train` run trains in, locked for it (<see cref="RunDirectoryLock"/>): never a directory
/// that already holds a run or any other file unless the user said --overwrite, never one another process trains in,
/// and a default one that no other run (started in the same second by another process included) shares.
/// </summary>
public static class RunFolder
{
    /// <summary>The files a run writes: what --overwrite removes first, so nothing of the old run is mixed into the new one.</summary>
    private static readonly string[] RunFiles =
    [
        "config.json", "metrics.csv", "summary.json", "confusion.csv", "model.fcnlab", "checkpoint.fcnlab", "steps.csv",
        "loss_accuracy.svg", "train_vs_val_loss.svg", "confusion.svg", "misclassified.svg",
    ];

    /// <summary>
    /// A new run's directory: <paramref name="outDir"/> (refused when it holds anything, unless <paramref name="overwrite"/>:
    /// then the old run's files are removed first), or, when null, a new directory named after the recipe
    /// (<see cref="RunLifecycle.DefaultRunDir"/>) with -2, -3, ... while that name is taken.
    /// </summary>
    /// <exception cref="FcnLabException">The directory holds files (without --overwrite), is a file, or is in use by another process.</exception>
    public static RunDirectoryLock ClaimNew(string? outDir, bool overwrite, TrainConfig config)
    {
        if (outDir == null) return ClaimDefault(RunLifecycle.DefaultRunDir(config));
        string full = Path.GetFullPath(outDir);
        if (File.Exists(full)) throw new FcnLabException($"--out {outDir} is a file; give the path of a directory.");
        if (!overwrite && Holds(full))
            throw new FcnLabException($"--out {outDir} already holds {(File.Exists(Path.Combine(full, "config.json")) ? "a run" : "files")}; give a new directory, or add --overwrite to replace the run in it.");
        var held = RunDirectoryLock.Acquire(full);
        try
        {
            if (overwrite)
                foreach (string name in RunFiles)
                    if (File.Exists(Path.Combine(full, name))) File.Delete(Path.Combine(full, name));
            return held;
        }
        catch (Exception e) when (Engine.IO.FileFault.Is(e))
        {
            held.Dispose();
            throw Engine.IO.FileFault.Describe("replace the run in", full, e);
        }
    }

    /// <summary>An existing run's directory, for `train --resume`.</summary>
    /// <exception cref="FcnLabException">Another process trains in it.</exception>
    public static RunDirectoryLock ClaimExisting(string runDir)
    {
        if (!Directory.Exists(runDir)) throw new FcnLabException($"{runDir} is not a run directory (it does not exist).");
        return RunDirectoryLock.Acquire(runDir);
    }

    /// <summary>The first of base, base-2, base-3, ... that this process creates or finds empty, and locks.</summary>
    private static RunDirectoryLock ClaimDefault(string baseDir)
    {
        for (int i = 1; ; i++)
        {
            string dir = i == 1 ? baseDir : $"{baseDir}-{i}";
            if (File.Exists(dir) || Holds(dir)) continue;
            // Another process may create and lock the same name between the check and the lock: then one of the two
            // gets the lock, and the other finds it held (or, once released, holding a run) and takes the next name.
            if (RunDirectoryLock.TryAcquire(dir, out _) is not { } held) continue;
            if (!Holds(dir)) return held;
            held.Dispose();
        }
    }

    /// <summary>True when <paramref name="dir"/> exists and holds anything but lock files.</summary>
    private static bool Holds(string dir) =>
        Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any(e => Path.GetFileName(e) is not (RunDirectoryLock.FileName or RunDirectoryLock.HolderFileName));
}
