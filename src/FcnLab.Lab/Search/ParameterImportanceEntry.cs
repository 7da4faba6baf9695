namespace FcnLab.Lab.Search;

/// <summary>
/// One parameter's importance: <see cref="OmegaSquared"/> is the share of the objective's variance over the
/// completed trials that its groups' means explain beyond chance (0 to 1); <see cref="Share"/> is that normalized so the
/// parameters' shares sum to 1 (the ranking a reader compares); <see cref="Groups"/> is how many groups
/// its values fell into (a choice's options, or rank bins of a number).
/// </summary>
public sealed record ParameterImportanceEntry(string Name, double Share, double OmegaSquared, int Groups);
