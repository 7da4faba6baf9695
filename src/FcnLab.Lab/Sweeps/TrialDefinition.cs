namespace FcnLab.Lab.Sweeps;

/// <summary>
/// One training of a sweep (or one `fcnlab train` run): its identity, the grid point it belongs to and
/// the resolved settings. <see cref="TrialId"/> is a hash of the resolved training settings and seed
/// (not threads, paths or verbosity), so a restarted sweep recognises finished work.
/// </summary>
public sealed record TrialDefinition
{
    /// <summary>12 lower-case hex digits of SHA-256 over <see cref="ConfigJson"/>.</summary>
    public required string TrialId { get; init; }
    /// <summary>Null for a `fcnlab train` run outside any sweep.</summary>
    public string? Sweep { get; init; }
    /// <summary>The axis values of this trial's grid point, canonical setting names to values as the spec writes them, in axis order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Point { get; init; } = [];
    /// <summary>0-based repeat index; the seed is base seed + repeat.</summary>
    public int Repeat { get; init; }
    public long Seed { get; init; }
    /// <summary>Canonical JSON of the resolved training settings (the identity's input).</summary>
    public required string ConfigJson { get; init; }
    /// <summary>Where the run directory lives (absolute, or relative to the working directory).</summary>
    public required string RunDir { get; init; }
}
