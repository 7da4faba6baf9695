using FcnLab.Engine.Training;

namespace FcnLab.Lab.Store;

/// <summary>
/// One page of a table of runs, for <see cref="IRunStore.ListRuns"/>: <see cref="Text"/> (case-insensitive, ASCII) found in
/// the trial id, sweep, error or swept settings (written "name=value, name=value" as tables show them); only runs of
/// <see cref="Status"/>; only trials of <see cref="Sweep"/> ("" for runs outside any sweep); sorted by <see cref="Sort"/>
/// (runs without a value first ascending, last descending; ties by run id in the same direction); <see cref="Limit"/>
/// rows from <see cref="Offset"/>.
/// </summary>
public sealed record RunListQuery
{
    public string? Text { get; init; }
    public RunStatus? Status { get; init; }
    public string? Sweep { get; init; }
    public RunListSort Sort { get; init; } = RunListSort.RunId;
    public bool Descending { get; init; }
    public int Offset { get; init; }
    public int Limit { get; init; } = 50;
}
