namespace FcnLab.Lab.Sweeps;

/// <summary>One axis of a sweep grid: a training setting (a flag name, canonical form) and the values it takes, as written.</summary>
public sealed record SweepAxis(string Setting, IReadOnlyList<string> Values);

/// <summary>
/// A sweep as its YAML spec says: a base config (settings by flag name), axes whose product is the grid,
/// and repeats (seeds base seed, base seed + 1, ...). A spec under studies/ also carries the study it
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
        var changed = this with { Base = [.. Base.Where(b => b.Key != name), new(name, value)] };
        return changed with { SourceText = SweepSpecWriter.ToYaml(changed) };
    }
}

/// <summary>
/// What a studies/ spec reproduces: where the numbers come from, how the study preprocessed the data,
/// what we had to assume, and the published rows.
/// </summary>
public sealed record StudyInfo
{
    /// <summary>File name of the study under ../shared/reference/studies/ (or a citation).</summary>
    public required string Source { get; init; }
    /// <summary>Which table or figure of the study, e.g. "Table 3: optimizers x learning rates".</summary>
    public required string Table { get; init; }
    public string? Preprocessing { get; init; }
    public IReadOnlyList<string> Assumptions { get; init; } = [];
    public IReadOnlyList<PublishedRow> Published { get; init; } = [];
}

/// <summary>
/// One published row: the axis values it belongs to (canonical setting names to values as the axes write
/// them) and the study's numbers, accuracies in percent and losses as printed; null where not published.
/// </summary>
public sealed record PublishedRow
{
    public IReadOnlyDictionary<string, string> Point { get; init; } = new Dictionary<string, string>();
    public double? TestAccuracy { get; init; }
    public double? StartValAccuracy { get; init; }
    public double? BestValAccuracy { get; init; }
    public int? BestValEpoch { get; init; }
    public double? LowestTrainLoss { get; init; }
    public int? LowestTrainLossEpoch { get; init; }
}
