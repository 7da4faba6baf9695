using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using FcnLab.Engine.IO;

namespace FcnLab.Engine.Tests.IO;

/// <summary>
/// Edits of model and checkpoint files (<see cref="ChecksummedFile"/> layout) that keep them well sealed,
/// so a parser gets past the checksum to the damage.
/// </summary>
public static class SealedFiles
{
    public static byte[] Header(byte[] file) =>
        file[ChecksummedFile.PrefixLength..(ChecksummedFile.PrefixLength + BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(ChecksummedFile.MagicLength + 4)))];

    /// <summary>The file with another JSON header, its length and the checksum made to match.</summary>
    public static byte[] WithHeader(byte[] file, byte[] header)
    {
        int prefix = ChecksummedFile.PrefixLength, oldLength = Header(file).Length;
        var rebuilt = (byte[])[.. file[..prefix], .. header, .. file[(prefix + oldLength)..]];
        BinaryPrimitives.WriteInt32LittleEndian(rebuilt.AsSpan(ChecksummedFile.MagicLength + 4), header.Length);
        return Reseal(rebuilt);
    }

    /// <summary>The file with <paramref name="pattern"/> replaced in its JSON header: exactly once, unless <paramref name="everywhere"/>.</summary>
    public static byte[] EditHeader(byte[] file, string pattern, string replacement, bool everywhere = false)
    {
        string header = Encoding.UTF8.GetString(Header(file));
        var regex = new Regex(pattern);
        int count = regex.Count(header);
        if (everywhere ? count == 0 : count != 1) throw new ArgumentException($"'{pattern}' occurs {count} times in the header: {header}");
        return WithHeader(file, Encoding.UTF8.GetBytes(regex.Replace(header, replacement)));
    }

    /// <summary>The last 32 bytes replaced by the SHA-256 of the rest (when there are that many).</summary>
    public static byte[] Reseal(byte[] file)
    {
        if (file.Length < ChecksummedFile.ChecksumLength) return file;
        var sealed_ = (byte[])file.Clone();
        int body = file.Length - ChecksummedFile.ChecksumLength;
        SHA256.HashData(sealed_.AsSpan(0, body), sealed_.AsSpan(body));
        return sealed_;
    }
}
