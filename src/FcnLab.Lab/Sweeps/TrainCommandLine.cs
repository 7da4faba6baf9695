using System.Text;
using FcnLab.Engine.Training;

namespace FcnLab.Lab.Sweeps;

/// <summary>
/// A config as the `fcnlab train` command that trains it again: every setting away from its default as
/// its flag (a switch bare, a value single-quoted for the shell where it needs it), in the flags' order.
/// <c>--threads</c> is left out (it never changes results) and so is <c>--data</c> when
/// <paramref name="includeData"/> is false (a path of another machine).
/// </summary>
public static class TrainCommandLine
{
    public static string From(TrainConfig config, bool includeData = true)
    {
        var sb = new StringBuilder("fcnlab train");
        foreach (var setting in TrainSettings.All)
        {
            if (setting.Name == "threads" || setting.Name == "data" && !includeData || setting.IsDefault(config)) continue;
            if (setting.Read(config) is not { } value) continue;
            if (setting.IsSwitch)
            {
                if (value == "true") sb.Append(" --").Append(setting.Name);
                continue;
            }
            sb.Append(" --").Append(setting.Name).Append(' ').Append(Shell(value));
        }
        return sb.ToString();
    }

    /// <summary>The text as one shell word: as it is when it holds only safe characters, else in single quotes.</summary>
    public static string Shell(string text) =>
        text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || "._,/:=+-@%".Contains(c))
            ? text
            : "'" + text.Replace("'", "'\\''") + "'";
}
