using System.Globalization;
using System.Numerics;

namespace FcnLab.Engine.Training;

/// <summary>
/// One train setting, declared once in <see cref="TrainConfig.Settings"/>: its flag name (the YAML key is
/// the same name, '_' or '-' alike), its help, how its text becomes a <see cref="TrainConfig"/> value and
/// the value text again, and the rule the value keeps. Parsing (<see cref="TrainSettings.Apply"/>), the
/// CLI's flags, the sweep and search specs' keys, the list a checkpoint stores
/// (<see cref="TrainSettings.ToSettings"/>) and validation (<see cref="TrainConfig.Validate"/>) all read
/// these declarations; trial identities read <see cref="TrainConfig"/>'s properties.
/// </summary>
public sealed class TrainSetting
{
    private readonly Func<TrainConfig, string, TrainConfig> _apply;
    private readonly Func<TrainConfig, string?> _read;
    private readonly Func<TrainConfig, string?> _check;

    private TrainSetting(string name, string help, bool isSwitch,
        Func<TrainConfig, string, TrainConfig> apply, Func<TrainConfig, string?> read, Func<TrainConfig, string?> check)
    {
        Name = name;
        Help = help;
        IsSwitch = isSwitch;
        _apply = apply;
        _read = read;
        _check = check;
    }

    /// <summary>The flag name without dashes ("batch-size"); YAML writes it batch_size or batch-size.</summary>
    public string Name { get; }

    public string Help { get; }

    /// <summary>A flag without a value (true when given); YAML and the settings lists write true or false.</summary>
    public bool IsSwitch { get; }

    /// <summary>
    /// Added after config.json's keys were fixed: config.json holds it (by its YAML key) only when it is
    /// away from its default, so runs without it keep their files byte for byte. Its TrainConfig property
    /// carries <see cref="LaterSettingAttribute"/> for trial identities likewise. Every new setting is later.
    /// </summary>
    public bool Later { get; private init; }

    /// <summary>This declaration marked <see cref="Later"/>.</summary>
    public TrainSetting AddedLater() => new(Name, Help, IsSwitch, _apply, _read, _check) { Later = true };

    /// <summary>The YAML key config.json writes it under ("label_smoothing").</summary>
    public string Key => Name.Replace('-', '_');

    /// <summary>Whether <paramref name="config"/> holds this setting's default (its value in <c>new TrainConfig()</c>).</summary>
    public bool IsDefault(TrainConfig config) => Read(config) == Read(TrainConfig.Defaults);

    /// <summary><paramref name="config"/> with this setting parsed from <paramref name="text"/>; a bad text is an error naming the flag.</summary>
    public TrainConfig Apply(TrainConfig config, string text) => _apply(config, text.Trim());

    /// <summary>The value's text, which <see cref="Apply"/> reads back exactly (numbers in round-trip form); null when unset.</summary>
    public string? Read(TrainConfig config) => _read(config);

    /// <summary>Null when the value keeps this setting's rule, else the message that says what is allowed.</summary>
    public string? Check(TrainConfig config) => _check(config);

    // ---- Declarations, one factory per kind of value ----------------------------------------------
    // must: the rule in words, as in "--NAME must MUST (got VALUE)."; holds: whether a value keeps it.

    /// <summary>A value of type <typeparamref name="T"/> that <paramref name="parse"/> reads (given the setting's name, for messages) and <paramref name="format"/> writes.</summary>
    public static TrainSetting Of<T>(string name, string help, Func<string, string, T> parse, Func<T, string?> format,
        Func<TrainConfig, T> get, Func<TrainConfig, T, TrainConfig> set, Func<T, bool>? holds = null, string? must = null, bool isSwitch = false) =>
        new(name, help, isSwitch,
            (c, text) => set(c, parse(name, text)),
            c => format(get(c)),
            c => holds == null || holds(get(c)) ? null : $"--{name} must {must} (got {format(get(c))}).");

    public static TrainSetting Number(string name, string help, Func<TrainConfig, double> get, Func<TrainConfig, double, TrainConfig> set,
        Func<double, bool>? holds = null, string? must = null) =>
        Of(name, help, ParseNumber, FormatNumber, get, set, holds, must);

    /// <summary>A number that may be unset (null); the rule applies when it is set.</summary>
    public static TrainSetting OptionalNumber(string name, string help, Func<TrainConfig, double?> get, Func<TrainConfig, double?, TrainConfig> set,
        Func<double, bool> holds, string must) =>
        Of(name, help, (n, t) => (double?)ParseNumber(n, t), v => v is { } d ? FormatNumber(d) : null, get, set, v => v is not { } d || holds(d), must);

    /// <summary>A float setting: parsed as a double and rounded once; written as that double, which reads back to the same float.</summary>
    public static TrainSetting Single(string name, string help, Func<TrainConfig, float> get, Func<TrainConfig, float, TrainConfig> set,
        Func<float, bool> holds, string must) =>
        Of(name, help, (n, t) => (float)ParseNumber(n, t), v => FormatNumber(v), get, set, holds, must);

    public static TrainSetting Integer(string name, string help, Func<TrainConfig, int> get, Func<TrainConfig, int, TrainConfig> set,
        Func<int, bool>? holds = null, string? must = null) =>
        Of(name, help, ParseWhole<int>, FormatInteger, get, set, holds, must);

    /// <summary>A whole number that may be unset (null); the rule applies when it is set.</summary>
    public static TrainSetting OptionalInteger(string name, string help, Func<TrainConfig, int?> get, Func<TrainConfig, int?, TrainConfig> set,
        Func<int, bool> holds, string must) =>
        Of(name, help, (n, t) => (int?)ParseWhole<int>(n, t), v => v is { } i ? FormatInteger(i) : null, get, set, v => v is not { } i || holds(i), must);

    public static TrainSetting Long(string name, string help, Func<TrainConfig, long> get, Func<TrainConfig, long, TrainConfig> set) =>
        Of(name, help, ParseWhole<long>, v => v.ToString(CultureInfo.InvariantCulture), get, set);

    public static TrainSetting Switch(string name, string help, Func<TrainConfig, bool> get, Func<TrainConfig, bool, TrainConfig> set) =>
        Of(name, help, ParseSwitch, v => v ? "true" : "false", get, set, isSwitch: true);

    /// <summary>One of an enum's values, by the spellings of <paramref name="names"/>.</summary>
    public static TrainSetting Choice<T>(string name, string help, EnumNames<T> names, Func<TrainConfig, T> get, Func<TrainConfig, T, TrainConfig> set)
        where T : struct, Enum =>
        Of(name, help, (_, t) => names.Parse(t), names.Name, get, set);

    /// <summary>Text as given; with <paramref name="required"/>, an empty text is an error (unset stays null).</summary>
    public static TrainSetting Text(string name, string help, Func<TrainConfig, string?> get, Func<TrainConfig, string, TrainConfig> set, bool required = true) =>
        Of<string?>(name, help, (n, t) => required && t.Length == 0 ? throw new FcnLabException($"--{n} needs a value.") : t, v => v, get, (c, v) => set(c, v!));

    // ---- Parsers shared by the declarations: invariant culture, messages that name the flag ---------

    private static double ParseNumber(string name, string text)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) || !double.IsFinite(d))
            throw new FcnLabException($"--{name} must be a number (got '{text}').");
        return d;
    }

    private static T ParseWhole<T>(string name, string text) where T : IBinaryInteger<T>
    {
        if (!T.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out T? i))
            throw new FcnLabException($"--{name} must be a whole number (got '{text}').");
        return i;
    }

    private static bool ParseSwitch(string name, string text) => text.ToLowerInvariant() switch
    {
        "" or "true" or "yes" or "on" or "1" => true,
        "false" or "no" or "off" or "0" => false,
        _ => throw new FcnLabException($"--{name} is a switch: true or false (got '{text}')."),
    };

    // "R" round-trips: the text reads back to the same double (and a float widened to double to the same float).
    private static string FormatNumber(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string FormatInteger(int v) => v.ToString(CultureInfo.InvariantCulture);
}
