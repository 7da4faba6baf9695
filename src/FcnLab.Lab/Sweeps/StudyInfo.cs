namespace FcnLab.Lab.Sweeps;

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
