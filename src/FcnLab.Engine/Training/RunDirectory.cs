using System.Globalization;
using System.Text;
using System.Text.Json;
using FcnLab.Engine.Data;
using FcnLab.Engine.IO;
using FcnLab.Engine.Init;
using FcnLab.Engine.Models;
using FcnLab.Engine.Optim;

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
    public static void WriteConfig(string runDir, TrainConfig c, ImageDataset data, int trainCount, int valCount, string? startedAt, IReadOnlyList<ResumeRecord> resumes)
    {
        var json = Json(w =>
        {
            w.WriteString("fcnlab_version", Version);
            w.WriteString("preset", c.Preset);
            w.WriteString("dataset", c.Dataset);
            w.WriteString("data_dir", data.Directory);
            w.WriteStartArray("image_shape");
            foreach (int d in data.ImageShape) w.WriteNumberValue(d);
            w.WriteEndArray();
            w.WriteNumber("classes", data.Classes);
            w.WriteString("val_split", c.ValSplit);
            w.WriteBoolean("stratify", c.Stratify);
            w.WriteString("normalize", Normalization.Name(c.Normalize));
            w.WriteString("arch", c.Arch);
            w.WriteStartArray("hidden");
            foreach (int h in c.Hidden) w.WriteNumberValue(h);
            w.WriteEndArray();
            w.WriteString("activation", Names.Activation(c.Activation));
            w.WriteNumber("leaky_slope", c.LeakySlope);
            w.WriteBoolean("batch_norm", c.BatchNorm);
            w.WriteNumber("dropout", c.Dropout);
            w.WriteString("init", Initializer.ToFlag(c.Init));
            w.WriteNumber("init_std", c.InitStd);
            w.WriteString("init_from", c.InitFrom);
            w.WriteString("optimizer", Optimizer.ToFlag(c.Optimizer.Kind));
            w.WriteNumber("lr", c.Optimizer.Lr);
            w.WriteNumber("momentum", c.Optimizer.Momentum);
            w.WriteBoolean("nesterov", c.Optimizer.Nesterov);
            w.WriteNumber("eps", c.Optimizer.Eps);
            w.WriteNumber("weight_decay", c.Optimizer.WeightDecay);
            w.WriteNumber("alpha", c.Optimizer.Alpha);
            w.WriteNumber("beta1", c.Optimizer.Beta1);
            w.WriteNumber("beta2", c.Optimizer.Beta2);
            w.WriteString("lr_schedule", LrSchedule.ToFlag(c.Schedule.Kind));
            w.WriteNumber("lr_step_size", c.Schedule.StepSize);
            w.WriteNumber("lr_gamma", c.Schedule.Gamma);
            w.WriteNumber("lr_factor", c.Schedule.Factor);
            w.WriteNumber("lr_plateau_patience", c.Schedule.PlateauPatience);
            w.WriteNumber("l2", c.L2);
            WriteNullable(w, "clip_grad_norm", c.ClipGradNorm);
            w.WriteNumber("epochs", c.Epochs);
            w.WriteNumber("batch_size", c.BatchSize);
            w.WriteBoolean("shuffle", c.Shuffle);
            w.WriteBoolean("augment", c.Augment);
            WriteNullable(w, "patience", c.Patience);
            w.WriteBoolean("restore_best", c.RestoresBest);
            // Settings added since these keys were fixed, only when set (so other runs keep their bytes).
            foreach (var setting in TrainSettings.All.Where(s => s.Later && !s.IsDefault(c)))
                WriteSettingText(w, setting.Key, setting.Read(c));
            w.WriteNumber("seed", c.Seed);
            w.WriteNumber("threads", c.Threads);
            w.WriteNumber("train_count", trainCount);
            w.WriteNumber("val_count", valCount);
            w.WriteNumber("test_count", data.Test.Count);
            w.WriteString("host", Environment.MachineName);
            w.WriteString("started_at", startedAt);
            w.WriteStartArray("resumes");
            foreach (var r in resumes) WriteResume(w, r);
            w.WriteEndArray();
        });
        AtomicFile.WriteAllText(Path.Combine(runDir, "config.json"), json);
    }

    /// <summary>A setting's text as JSON: a number or true/false as such, else a string.</summary>
    private static void WriteSettingText(Utf8JsonWriter w, string name, string? text)
    {
        if (text == null) w.WriteNull(name);
        else if (text is "true" or "false") w.WriteBoolean(name, text == "true");
        else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)) w.WriteNumber(name, d);
        else w.WriteString(name, text);
    }

    public static void WriteResume(Utf8JsonWriter w, ResumeRecord r)
    {
        w.WriteStartObject();
        w.WriteNumber("epoch", r.Epoch);
        w.WriteNumber("step", r.Step);
        w.WriteNumber("epochs", r.Epochs);
        w.WriteNumber("threads", r.Threads);
        w.WriteString("at", r.At);
        w.WriteEndObject();
    }

    public static ResumeRecord ReadResume(JsonElement e) => new(e.GetProperty("epoch").GetInt32(), e.GetProperty("step").GetInt32(),
        e.GetProperty("epochs").GetInt32(), e.GetProperty("threads").GetInt32(), e.GetProperty("at").GetString() ?? "");

    public static void WriteMetrics(string runDir, IEnumerable<EpochMetrics> epochs)
    {
        var sb = new StringBuilder("epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds\n");
        foreach (var e in epochs)
            sb.Append(CultureInfo.InvariantCulture, $"{e.Epoch},{F(e.TrainLoss)},{F(e.TrainAccuracy)},{F(e.ValLoss)},{F(e.ValAccuracy)},{F(e.Lr)},{e.Seconds.ToString("F3", CultureInfo.InvariantCulture)}\n");
        AtomicFile.WriteAllText(Path.Combine(runDir, "metrics.csv"), sb.ToString());
    }

    public static void WriteSummary(string runDir, RunSummary s) =>
        AtomicFile.WriteAllText(Path.Combine(runDir, "summary.json"), SummaryJson(s));

    public static string SummaryJson(RunSummary s) => Json(w => WriteSummaryFields(w, s));

    /// <summary>summary.json's fields, also embedded in `train --json`.</summary>
    public static void WriteSummaryFields(Utf8JsonWriter w, RunSummary s)
    {
        w.WriteString("status", s.Status.ToText());
        WriteNullable(w, "test_accuracy", s.TestAccuracy);
        WriteNullable(w, "test_loss", s.TestLoss);
        WriteNullable(w, "start_val_accuracy", s.StartValAccuracy);
        WriteNullable(w, "best_val_accuracy", s.BestValAccuracy);
        WriteNullable(w, "best_val_epoch", s.BestValEpoch);
        WriteNullable(w, "lowest_train_loss", s.LowestTrainLoss);
        WriteNullable(w, "lowest_train_loss_epoch", s.LowestTrainLossEpoch);
        w.WriteNumber("epochs_run", s.EpochsRun);
        WriteNullable(w, "diverged_epoch", s.DivergedEpoch);
        WriteNullable(w, "diverged_step", s.DivergedStep);
        w.WriteNumber("train_seconds", Math.Round(s.TrainSeconds, 3));
        w.WriteNumber("seconds_per_epoch", Math.Round(s.SecondsPerEpoch, 3));
        w.WriteNumber("parameters", s.Parameters);
    }

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

    public static void WriteNullable(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    public static void WriteNullable(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    private static string F(double? v) => v is { } x ? x.ToString("R", CultureInfo.InvariantCulture) : "";

    private static string Csv(string s) => s.Contains(',') || s.Contains('"') ? $"\"{s.Replace("\"", "\"\"")}\"" : s;
}
