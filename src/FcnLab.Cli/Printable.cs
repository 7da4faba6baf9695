using System.Text;

namespace FcnLab.Cli;

/// <summary>
/// Text read from files (class names in a model file or sidecar, file names) as it may reach a terminal: control
/// characters are written as escapes (\x1b, \u009b), so no escape sequence in a file can move the cursor, recolour or
/// retitle the user's terminal. JSON output needs none of this: its writer escapes them already.
/// </summary>
public static class Printable
{
    public static string Escape(string text)
    {
        if (!text.Any(char.IsControl)) return text;
        var sb = new StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            if (!char.IsControl(c)) sb.Append(c);
            else if (c < 0x80) sb.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            else sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
        }
        return sb.ToString();
    }
}
