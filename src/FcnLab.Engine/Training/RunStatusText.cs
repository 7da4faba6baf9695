namespace FcnLab.Engine.Training;

/// <summary>The strings of <see cref="RunStatus"/> on disk and in the store, and what each status means for a run's results.</summary>
public static class RunStatusText
{
    private static readonly RunStatus[] All = Enum.GetValues<RunStatus>();

    public static string ToText(this RunStatus status) => status switch
    {
        RunStatus.Pending => "pending",
        RunStatus.Running => "running",
        RunStatus.Completed => "completed",
        RunStatus.EarlyStopped => "early-stopped",
        RunStatus.Diverged => "diverged",
        RunStatus.Failed => "failed",
        RunStatus.Pruned => "pruned",
        RunStatus.Interrupted => "interrupted",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static bool TryParse(string? text, out RunStatus status)
    {
        foreach (var s in All)
        {
            if (s.ToText() == text)
            {
                status = s;
                return true;
            }
        }
        status = default;
        return false;
    }

    /// <exception cref="FcnLabException">For a string that names no status.</exception>
    public static RunStatus Parse(string text) => TryParse(text, out var status) ? status
        : throw new FcnLabException($"'{text}' is not a run status; the statuses are {string.Join(", ", All.Select(s => s.ToText()))}.");

    /// <summary>The run will not change any more (interrupted runs are resumed, so they are not final).</summary>
    public static bool IsFinal(this RunStatus status) => status is RunStatus.Completed or RunStatus.EarlyStopped or RunStatus.Diverged or RunStatus.Failed or RunStatus.Pruned;

    /// <summary>The run ended with a summary of results (a failed run has only its error message).</summary>
    public static bool HasResults(this RunStatus status) => status is RunStatus.Completed or RunStatus.EarlyStopped or RunStatus.Diverged or RunStatus.Pruned;
}
