namespace FcnLab.Engine.IO;

/// <summary>
/// Turns what the file system refused (a full disk, a read-only file system, permission denied, a file where a
/// directory is needed, a missing directory) into an <see cref="FcnLabException"/> whose message says what happened
/// to which path and what to do, without .NET's type names.
/// </summary>
public static class FileFault
{
    // Linux errno values .NET passes through as an IOException's HResult.
    private const int Enospc = 28, Erofs = 30, Edquot = 122, Enotdir = 20, Eisdir = 21, Eexist = 17, Eacces = 13, Eperm = 1;

    /// <summary>True for the exceptions the file system throws (I/O errors and denied access).</summary>
    public static bool Is(Exception e) => e is IOException or UnauthorizedAccessException;

    /// <summary>The error for <paramref name="e"/>, which happened while <paramref name="doing"/> (e.g. "write") <paramref name="path"/>.</summary>
    public static FcnLabException Describe(string doing, string path, Exception e) => new(Sentence(doing, path, e), e);

    /// <summary>One sentence: "Cannot write PATH: the disk is full. Free some space and run the command again."</summary>
    public static string Sentence(string doing, string path, Exception e)
    {
        string full = Path.GetFullPath(path);
        string why = e switch
        {
            UnauthorizedAccessException => "permission denied. Give a location you can write to, or change its permissions",
            FileNotFoundException or DirectoryNotFoundException when ParentIsFile(full) is { } file =>
                $"{file} is a file, not a directory. Move it away or give another path",
            DirectoryNotFoundException => "a directory on its path does not exist. Create it first or give another path",
            FileNotFoundException => "it does not exist. Check the path",
            IOException io => Errno(io) switch
            {
                Enospc or Edquot => "the disk is full (no space left on the device, or the quota is used up). Free some space and run the command again",
                Erofs => "the file system is read-only. Give a location on a writable file system",
                Eacces or Eperm => "permission denied. Give a location you can write to, or change its permissions",
                Enotdir => (ParentIsFile(full) is { } f ? $"{f} is a file, not a directory" : "a part of the path is a file, not a directory") + ". Move it away or give another path",
                Eisdir => "it is a directory, not a file. Give the path of a file",
                Eexist => "it already exists as a file. Move it away or give another path",
                _ => $"{Plain(io.Message, full)}. Check the path and the device, then run the command again",
            },
            _ => $"{Plain(e.Message, full)}. Check the path, then run the command again",
        };
        return $"Cannot {doing} {full}: {why}.";
    }

    /// <summary>The errno .NET keeps in an IOException's HResult on Unix (0 when it kept none).</summary>
    private static int Errno(IOException e) =>
        !OperatingSystem.IsWindows() && e.HResult is > 0 and < 4096 ? e.HResult
        : e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase) ? Enospc
        : e.Message.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase) ? Erofs
        : 0;

    /// <summary>The nearest existing ancestor of <paramref name="full"/> when it is a file (so the path cannot be created below it).</summary>
    private static string? ParentIsFile(string full)
    {
        for (string? dir = Path.GetDirectoryName(full); dir != null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(dir)) return dir;
            if (Directory.Exists(dir)) return null;
        }
        return null;
    }

    /// <summary>.NET's message without the quoted path it repeats and the trailing period.</summary>
    private static string Plain(string message, string full) =>
        message.Replace($" : '{full}'", "", StringComparison.Ordinal).Replace($" '{full}'", "", StringComparison.Ordinal).TrimEnd('.', ' ');

    /// <summary>A file-system fault whose path is only in .NET's message: that message, with what to do.</summary>
    public static string Unattributed(Exception e) => e switch
    {
        UnauthorizedAccessException => $"Permission denied: {e.Message.TrimEnd('.')}. Give a location you can use, or change its permissions.",
        IOException io when Errno(io) is Enospc or Edquot => $"The disk is full: {e.Message.TrimEnd('.')}. Free some space and run the command again.",
        IOException io when Errno(io) is Erofs => $"The file system is read-only: {e.Message.TrimEnd('.')}. Give a location on a writable file system.",
        _ => $"A file operation failed: {e.Message.TrimEnd('.')}. Check the path and the device, then run the command again.",
    };
}
