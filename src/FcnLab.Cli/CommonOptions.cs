namespace FcnLab.Cli;

/// <summary>Flags shared by commands, mapped one to one onto <see cref="TrainSettings"/>.</summary>
public sealed class SettingOptions
{
    private readonly List<(TrainSetting Info, Option Option)> _options = [];

    public SettingOptions(Command command, IEnumerable<TrainSetting> settings, IReadOnlyDictionary<string, string>? defaultsInHelp = null)
    {
        foreach (var s in settings)
        {
            string help = defaultsInHelp != null && defaultsInHelp.TryGetValue(s.Name, out var d) ? $"{s.Help} (here: {d})" : s.Help;
            Option option = s.IsSwitch
                ? new Option<bool>("--" + s.Name) { Description = help }
                : new Option<string>("--" + s.Name) { Description = help, HelpName = "value" };
            command.Options.Add(option);
            _options.Add((s, option));
        }
    }

    /// <summary>The settings given explicitly on the command line, in order, as name/value strings.</summary>
    public List<KeyValuePair<string, string>> Given(ParseResult parse)
    {
        var given = new List<KeyValuePair<string, string>>();
        foreach (var (info, option) in _options)
        {
            var result = parse.GetResult(option);
            if (result == null || result.Implicit) continue;
            string value = option is Option<bool> b ? (parse.GetValue(b) ? "true" : "false") : parse.GetValue((Option<string>)option) ?? "";
            given.Add(new(info.Name, value));
        }
        return given;
    }
}
