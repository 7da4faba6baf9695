using System.Globalization;

namespace FcnLab.Engine.Training;

/// <summary>
/// The one way settings become a <see cref="TrainConfig"/>: name/value pairs from flags or YAML are
/// applied on top of a base config, each by its declaration in <see cref="TrainConfig.Settings"/>. Names
/// are flag names (batch-size or batch_size); unknown names and bad values are errors that say what is
/// allowed.
/// </summary>
public static class TrainSettings
{
    /// <summary>Every train setting, in the order of the flags' help.</summary>
    public static IReadOnlyList<TrainSetting> All => TrainConfig.Settings;

    private static readonly Dictionary<string, TrainSetting> ByName = TrainConfig.Settings.ToDictionary(s => s.Name);

    /// <summary>Canonical setting name: lower case, underscores as dashes, no leading dashes.</summary>
    public static string Canonical(string name) => name.Trim().TrimStart('-').Replace('_', '-').ToLowerInvariant();

    public static bool IsKnown(string name) => ByName.ContainsKey(Canonical(name));

    /// <summary>The declaration of a setting by any spelling of its name (flag or YAML key).</summary>
    public static TrainSetting Get(string name) =>
        ByName.TryGetValue(Canonical(name), out var setting) ? setting
        : throw new FcnLabException($"Unknown setting '{name}'. Known settings: {string.Join(", ", All.Select(s => s.Name))}.");

    public static TrainConfig Apply(TrainConfig config, IEnumerable<KeyValuePair<string, string>> settings)
    {
        var c = config;
        foreach (var (rawName, rawValue) in settings)
        {
            var setting = Get(rawName);
            try
            {
                c = setting.Apply(c, rawValue);
            }
            catch (FcnLabException e) when (!e.Message.Contains("--" + setting.Name, StringComparison.Ordinal))
            {
                // The shared parsers (optimizer, activation, ...) do not know which flag they serve: say it.
                throw new FcnLabException($"--{setting.Name}: {e.Message}", e);
            }
        }
        return c;
    }

    /// <summary>
    /// The inverse of <see cref="Apply"/>: every setting of <paramref name="c"/> as name/value strings in
    /// declaration order (settings that are null are left out), so Apply(new TrainConfig(), ToSettings(c))
    /// gives c back exactly (numbers in round-trip form). Checkpoints store their config this way. Preset
    /// is not a setting; callers keep it themselves.
    /// </summary>
    public static List<KeyValuePair<string, string>> ToSettings(TrainConfig c) =>
        [.. All.Select(s => (s.Name, Value: s.Read(c))).Where(s => s.Value != null).Select(s => new KeyValuePair<string, string>(s.Name, s.Value!))];

    /// <summary>"1200,2000,800" (also with spaces or brackets), or "none"/"" for no hidden layer.</summary>
    public static int[] ParseHidden(string v)
    {
        string s = v.Trim().Trim('[', ']').Trim();
        if (s.Length == 0 || s.Equals("none", StringComparison.OrdinalIgnoreCase)) return [];
        var parts = s.Split(',', StringSplitOptions.TrimEntries);
        var widths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out widths[i]) || widths[i] < 1)
                throw new FcnLabException($"--hidden '{v}' is not a list of positive integers: '{parts[i]}' is not a width. Example: --hidden 1200,2000,800, or --hidden none for softmax regression.");
        return widths;
    }

    /// <summary>"28x28", "1x28x28" (also with commas).</summary>
    public static int[] ParseShape(string v)
    {
        var parts = v.Trim().Trim('[', ']').Split(['x', 'X', ','], StringSplitOptions.TrimEntries);
        var dims = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]) || dims[i] < 1)
                throw new FcnLabException($"--image-shape '{v}' is not a shape: write HEIGHTxWIDTH or CHANNELSxHEIGHTxWIDTH, e.g. 28x28.");
        return dims;
    }
}
