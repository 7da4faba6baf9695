namespace FcnLab.Lab.Sweeps;

/// <summary>
/// A sweep as its YAML spec says: a base config (settings by flag name), axes whose product is the grid,
/// or a search (<see cref="Search"/>: a space and a sampler), and repeats (seeds base seed, base seed + 1, ...). A spec under studies/ also carries the study it
/// reproduces (<see cref="Study"/>). Immutable; parsed by <see cref="SweepSpecParser"/>.
/// </summary>
public sealed record SweepSpec
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    /// <summary>Base settings, canonical flag names (dashes) to values as strings, in file order; no "seed" (see <see cref="BaseSeed"/>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Base { get; init; } = [];
    public IReadOnlyList<SweepAxis> Axes { get; init; } = [];
    public int Repeats { get; init; } = 1;
    public long BaseSeed { get; init; } = 1;
    public StudyInfo? Study { get; init; }
    /// <summary>The search of a spec with a <c>space:</c> block (no axes, one "repeat"); null for a grid.</summary>
    public SearchSpec? Search { get; init; }
    /// <summary>The spec's YAML text as read (stored with the sweep).</summary>
    public string SourceText { get; init; } = "";

    /// <summary>
    /// The spec with one base setting set or replaced (a command line's --epochs). Its text becomes the
    /// canonical YAML of the result, so the stored spec (what reports expand) makes the same trials.
    /// </summary>
    public SweepSpec WithBaseSetting(string setting, string value)
    {
        string name = Engine.Training.TrainSettings.Canonical(setting);
        if (Axes.Any(a => a.Setting == name))
            throw new Engine.FcnLabException($"--{name} cannot override sweep '{Name}': {name} is one of its axes.");
        if (Search != null && Search.SearchedSettings.Contains(name))
            throw new Engine.FcnLabException($"--{name} cannot override sweep '{Name}': its search chooses {name}.");
        var changed = this with { Base = [.. Base.Where(b => b.Key != name), new(name, value)] };
        return changed with { SourceText = SweepSpecWriter.ToYaml(changed) };
    }
}
