namespace FcnLab.Engine.IO;

/// <summary>
/// Writes files so a reader (or a crash) never sees a half-written one: temp file, flush to disk, rename. When the file
/// system refuses (a full disk, a read-only file system, permission denied), the temp file is removed, the file being
/// replaced is left as it was, and an <see cref="FcnLabException"/> says what happened (<see cref="FileFault"/>).
/// </summary>
public static class AtomicFile
{
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        CreateDirectory(dir);
        // Unique per process and call, so two writers never share a temp file.
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                fs.Write(bytes);
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (FileFault.Is(e))
        {
            TryDelete(temp);
            throw FileFault.Describe("write", full, e);
        }
    }

    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, new System.Text.UTF8Encoding(false).GetBytes(text));

    /// <summary>Directory.CreateDirectory with the file system's refusal said plainly.</summary>
    public static void CreateDirectory(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (FileFault.Is(e))
        {
            throw FileFault.Describe("create the directory", dir, e);
        }
    }

    /// <summary>Removes a temp file left by a failed write; a failure to remove it changes nothing for the caller.</summary>
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
}
