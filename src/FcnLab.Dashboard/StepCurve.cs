using System.Globalization;
using FcnLab.Lab.Reports.Charts;
using FcnLab.Lab.Store;

namespace FcnLab.Dashboard;

/// <summary>
/// A run's per-step training loss against the global step (1-based across epochs): every step from the run
/// directory's steps.csv once the run is final and its directory is on this machine; otherwise the points the run
/// lifecycle published to the store (each the mean of the steps since the one before), which is all another
/// machine's run offers while it trains.
/// </summary>
internal sealed record StepCurve(IReadOnlyList<ChartPoint> Points, string Source)
{
    public static StepCurve FromStore(RunProgress? progress)
    {
        if (progress == null) return new StepCurve([], "no progress published to the store");
        int perEpoch = progress.Position.Steps;
        var points = progress.Losses.Select(p => new ChartPoint((double)(p.Epoch - 1) * (p.Steps > 0 ? perEpoch : 0) + p.Step, p.Loss)).ToList();
        return new StepCurve(points, $"{points.Count} points published to the store (means over --progress-every windows)");
    }

    /// <summary>steps.csv (epoch,step,loss,lr); null when absent, and an exception when it cannot be read.</summary>
    public static StepCurve? FromRunDir(string runDir)
    {
        string path = Path.Combine(runDir, "steps.csv");
        if (!File.Exists(path)) return null;
        var points = new List<ChartPoint>();
        int global = 0;
        foreach (string line in File.ReadLines(path).Skip(1))
        {
            if (line.Length == 0) continue;
            var cells = line.Split(',');
            if (cells.Length < 3 || !double.TryParse(cells[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double loss))
                throw new InvalidDataException($"{path} has a malformed row: {line}");
            points.Add(new ChartPoint(++global, loss));
        }
        return new StepCurve(points, $"every step from steps.csv ({points.Count} steps)");
    }
}
