using FcnLab.Engine.Training;
using FcnLab.Lab.Store;

namespace FcnLab.Lab.Reports;

/// <summary>
/// One grid point of a sweep: its trials (the repeats) with their states counted, and each table metric
/// over the completed (or early-stopped) repeats. Accuracies are fractions, epochs 1-based.
/// </summary>
public sealed record SweepTableRow
{
    /// <summary>The swept settings' values, as the trials' definitions give them.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Point { get; init; }
    public required IReadOnlyList<TrialResult> Trials { get; init; }

    public int Total => Trials.Count;
    /// <summary>Completed or early-stopped: the runs the metrics are computed over.</summary>
    public int Completed => Trials.Count(t => IsCompleted(t.Trial.Status));
    public int Diverged => Count(RunStatus.Diverged);
    public int Failed => Count(RunStatus.Failed);
    public int Running => Count(RunStatus.Running);
    public int Pending => Count(RunStatus.Pending);

    public Stat? TestAccuracy { get; init; }
    public Stat? StartValAccuracy { get; init; }
    public Stat? BestValAccuracy { get; init; }
    public Stat? BestValEpoch { get; init; }
    public Stat? LowestTrainLoss { get; init; }
    public Stat? LowestTrainLossEpoch { get; init; }
    /// <summary>The distinct epochs the diverged repeats diverged in, ascending.</summary>
    public IReadOnlyList<int> DivergedEpochs { get; init; } = [];
    /// <summary>The row with the highest mean test accuracy (the first such row on a tie).</summary>
    public bool IsBest { get; init; }

    /// <summary>"setting=value, ..." for legends and captions; empty for a sweep without axes.</summary>
    public string Label => PointLabel(Point);

    /// <summary>The value of <paramref name="setting"/> at this point, "" when the point does not set it.</summary>
    public string Setting(string setting)
    {
        foreach (var p in Point)
            if (p.Key == setting) return p.Value;
        return "";
    }

    public static bool IsCompleted(RunStatus status) => status is RunStatus.Completed or RunStatus.EarlyStopped;

    public static string PointLabel(IReadOnlyList<KeyValuePair<string, string>> point) =>
        string.Join(", ", point.Select(p => $"{p.Key}={p.Value}"));

    private int Count(RunStatus status) => Trials.Count(t => t.Trial.Status == status);
}
