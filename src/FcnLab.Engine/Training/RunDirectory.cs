using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FcnLab.Engine.Data;
using FcnLab.Engine.IO;

namespace FcnLab.Engine.Training;

/// <summary>
/// Writes a run directory's text files (config.json, metrics.csv, summary.json, confusion.csv),
/// each atomically, in the invariant culture, as pure functions of their inputs.
/// </summary>
public static class RunDirectory
{
    public static string Version => typeof(RunDirectory).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>The current UTC time as config.json writes it.</summary>
    public static string Timestamp() => DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>config.json: every resolved setting; <paramref name="startedAt"/> is when the run first started, <paramref name="resumes"/> each time it was resumed.</summary>
    public static void WriteConfig(string runDir, TrainConfig c, ImageDataset data, int trainCount, int valCount, string? startedAt, IReadOnlyList<ResumeRecord> resumes) =>
        AtomicFile.WriteAllText(Path.Combine(runDir, "config.json"),
            Document(ConfigJson.Of(c, data, trainCount, valCount, startedAt, resumes), RunFilesJson.Default.ConfigJson));

    public static void WriteMetrics(string runDir, IEnumerable<EpochMetrics> epochs)
    {
        var sb = new StringBuilder("epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds\n");
        foreach (var e in epochs)
            sb.Append(CultureInfo.InvariantCulture, $"{e.Epoch},{F(e.TrainLoss)},{F(e.TrainAccuracy)},{F(e.ValLoss)},{F(e.ValAccuracy)},{F(e.Lr)},{e.Seconds.ToString("F3", CultureInfo.InvariantCulture)}\n");
        AtomicFile.WriteAllText(Path.Combine(runDir, "metrics.csv"), sb.ToString());
    }

    public static void WriteSummary(string runDir, RunSummary s) =>
        AtomicFile.WriteAllText(Path.Combine(runDir, "summary.json"), SummaryText(s));

    public static string SummaryText(RunSummary s) => Document(SummaryJson.Of(s), RunFilesJson.Default.SummaryJson);

    /// <summary>confusion.csv: one row per true class, one column per predicted class, with class names.</summary>
    public static void WriteConfusion(string runDir, EvalResult test, IReadOnlyList<string> classNames)
    {
        var sb = new StringBuilder("true\\predicted");
        foreach (var name in classNames) sb.Append(',').Append(Csv(name));
        sb.Append('\n');
        for (int i = 0; i < test.Classes; i++)
        {
            sb.Append(Csv(classNames[i]));
            for (int j = 0; j < test.Classes; j++) sb.Append(',').Append(test.Confusion[i, j].ToString(CultureInfo.InvariantCulture));
            sb.Append('\n');
        }
        AtomicFile.WriteAllText(Path.Combine(runDir, "confusion.csv"), sb.ToString());
    }

    /// <summary>A JSON document as FcnLab writes its files and --json output: the source-generated serializer's text and a newline.</summary>
    public static string Document<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.Serialize(value, type) + "\n";

    public static string Json(Action<Utf8JsonWriter> body)
    {
        var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }

    private static string F(double? v) => v is { } x ? x.ToString("R", CultureInfo.InvariantCulture) : "";

    private static string Csv(string s) => s.Contains(',') || s.Contains('"') ? $"\"{s.Replace("\"", "\"\"")}\"" : s;
}
