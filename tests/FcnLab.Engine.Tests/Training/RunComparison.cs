using System.Text.Json;
using FcnLab.Engine.Training;

namespace FcnLab.Engine.Tests.Training;

/// <summary>Compares two run directories as DESIGN.md's "Time" contract allows them to differ: only in timings.</summary>
public static class RunComparison
{
    private static readonly string[] TimingKeys = ["train_seconds", "seconds_per_epoch"];

    /// <summary>
    /// Byte-identical model.fcnlab, confusion.csv and steps.csv, metrics.csv equal but for its seconds column,
    /// summary.json equal but for its timing keys, and final checkpoints with the same state (tensors,
    /// row order, generators, position).
    /// </summary>
    public static void AssertSameRun(string expectedDir, string actualDir)
    {
        Assert.Equal(File.ReadAllBytes(Path.Combine(expectedDir, "model.fcnlab")), File.ReadAllBytes(Path.Combine(actualDir, "model.fcnlab")));
        Assert.Equal(File.ReadAllText(Path.Combine(expectedDir, "confusion.csv")), File.ReadAllText(Path.Combine(actualDir, "confusion.csv")));
        Assert.Equal(File.ReadAllLines(Path.Combine(expectedDir, "steps.csv")), File.ReadAllLines(Path.Combine(actualDir, "steps.csv")));
        Assert.Equal(MetricsWithoutSeconds(expectedDir), MetricsWithoutSeconds(actualDir));
        Assert.Equal(SummaryWithoutTimings(expectedDir), SummaryWithoutTimings(actualDir));

        var a = Checkpoint.Load(expectedDir);
        var b = Checkpoint.Load(actualDir);
        Assert.Equal(a.Status, b.Status);
        var (x, y) = (a.State, b.State);
        Assert.Equal((x.EpochsDone, x.InEpoch, x.Step, x.OptimizerSteps, x.LossSum, x.CorrectSum, x.Seen), (y.EpochsDone, y.InEpoch, y.Step, y.OptimizerSteps, y.LossSum, y.CorrectSum, y.Seen));
        Assert.Equal(a.Tensors.Select(t => t.Name), b.Tensors.Select(t => t.Name));
        for (int i = 0; i < a.Tensors.Count; i++) Assert.True(a.Tensors[i].Values.Span.SequenceEqual(b.Tensors[i].Values.Span), a.Tensors[i].Name);
        // The rest of the state (row order, generators, schedule, early stopping, metrics, history but for its timings) as the checkpoint writes it.
        Assert.Equal(x.Order, y.Order);
        Assert.Equal(StateJson(a), StateJson(b));
    }

    private static string StateJson(Checkpoint c)
    {
        using var doc = JsonDocument.Parse(SealedHeader(c.Serialize()));
        var state = doc.RootElement.GetProperty("state");
        // Where a run is recorded (recorded_in) is no part of its numbers.
        return string.Join("\n", state.EnumerateObject().Where(p => p.Name is not ("metrics" or "epoch_seconds" or "resumes" or "started_at" or "recorded_in")).Select(p => $"{p.Name}={p.Value.GetRawText()}"));
    }

    /// <summary>The JSON header of a checksummed file (after the magic, the version and the header length).</summary>
    private static byte[] SealedHeader(byte[] file) =>
        file.AsSpan(16, System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(12))).ToArray();

    public static string[] MetricsWithoutSeconds(string runDir) =>
        File.ReadAllLines(Path.Combine(runDir, "metrics.csv")).Select(line => line[..line.LastIndexOf(',')]).ToArray();

    public static string SummaryWithoutTimings(string runDir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "summary.json")));
        return string.Join("\n", doc.RootElement.EnumerateObject().Where(p => !TimingKeys.Contains(p.Name)).Select(p => $"{p.Name}={p.Value.GetRawText()}"));
    }
}
