using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using FcnLab.Engine.Data;
using FcnLab.Engine.IO;
using FcnLab.Engine.Models;

namespace FcnLab.Engine.Training;

/// <summary>The data a checkpoint was trained on, checked on resume: shape, classes, split sizes and a SHA-256 of all labels.</summary>
public sealed record DataFingerprint(int[] ImageShape, int Classes, int TrainCount, int ValCount, int TestCount, string LabelsSha256)
{
    public bool Matches(DataFingerprint other) =>
        ImageShape.SequenceEqual(other.ImageShape) && Classes == other.Classes && TrainCount == other.TrainCount
        && ValCount == other.ValCount && TestCount == other.TestCount && LabelsSha256 == other.LabelsSha256;

    public override string ToString() =>
        $"{string.Join("x", ImageShape)} images, {Classes} classes, {TrainCount} train / {ValCount} validation / {TestCount} test, labels {LabelsSha256[..12]}";
}

/// <summary>
/// A run's whole training state, as checkpoint.fcnlab in its run directory holds it: written after
/// every epoch and when a run is interrupted (after the step in progress), so that
/// <see cref="Trainer.Resume(Checkpoint, string, ImageDataset, ITrainingObserver, int?, int?, CancellationToken)"/>
/// continues with exactly the bits an uninterrupted run would have had.
/// <para>
/// File layout (<see cref="ChecksummedFile"/>, as model.fcnlab but with its own magic): magic
/// "\x89FCNCKPT\n", format version, a JSON header (config as setting names and values, status,
/// position, optimizer step count, schedule state, the generators' states, early-stopping state,
/// metrics so far, the data's fingerprint, and the list of float tensors), then the tensors as
/// little-endian float32 in header order, then the row order as int32 (one per training row), then
/// a SHA-256 of everything before it.
/// </para>
/// </summary>
public sealed record Checkpoint
{
    public const string FileName = "checkpoint.fcnlab";
    public const int FormatVersion = 1;
    private const string Kind = "checkpoint";
    private static readonly byte[] Magic = [0x89, (byte)'F', (byte)'C', (byte)'N', (byte)'C', (byte)'K', (byte)'P', (byte)'T'];

    /// <summary>The run's settings (Epochs: the total it is training to; Threads: what it last ran with).</summary>
    public required TrainConfig Config { get; init; }

    /// <summary><see cref="RunStatus.Running"/> for a run that can go on (interrupted, or saved between epochs), or the run's final status once its outputs are written.</summary>
    public required RunStatus Status { get; init; }

    /// <summary>The run ended and its outputs (model, summary) are written: a sweep records it rather than resuming it.</summary>
    public bool IsFinished => Status != RunStatus.Running;

    // Position.
    /// <summary>Epochs finished: trained, validated and in <see cref="Metrics"/>.</summary>
    public int EpochsDone { get; init; }
    /// <summary>True when epoch EpochsDone + 1 has started (learning rate set, rows shuffled); false between epochs.</summary>
    public bool InEpoch { get; init; }
    /// <summary>Steps done in the epoch in progress (0 between epochs).</summary>
    public int Step { get; init; }
    /// <summary>The learning rate of the epoch in progress (the optimizer's).</summary>
    public double EpochLr { get; init; }
    /// <summary>The epoch in progress so far: sum of batch loss times batch size, correct predictions, examples, training-loop seconds.</summary>
    public double LossSum { get; init; }
    public long CorrectSum { get; init; }
    public long Seen { get; init; }
    public double EpochSeconds { get; init; }
    public int? DivergedEpoch { get; init; }
    public int? DivergedStep { get; init; }

    // State.
    public required Normalization Normalization { get; init; }
    public required DataFingerprint Data { get; init; }
    public long OptimizerSteps { get; init; }
    /// <summary><see cref="Optim.LrSchedule.GetState"/>.</summary>
    public required double[] ScheduleState { get; init; }
    public required ulong[] SplitRng { get; init; }
    public required ulong[] InitRng { get; init; }
    public required ulong[] ShuffleRng { get; init; }
    public required ulong[] DropoutRng { get; init; }
    /// <summary>The --augment generator; null in checkpoints from before augmentation existed (their runs never drew from it).</summary>
    public ulong[]? AugmentRng { get; init; }
    /// <summary>Early stopping: the best validation loss so far (+infinity before one) and epochs since it.</summary>
    public double BestValLoss { get; init; } = double.PositiveInfinity;
    public int EpochsSinceBest { get; init; }
    public required IReadOnlyList<EpochMetrics> Metrics { get; init; }
    /// <summary>
    /// Float tensors by name: "parameters" (the flat parameter buffer), "buffer/{layer}.{name}" (batch-norm
    /// running statistics), "optimizer/{state name}", and, once --restore-best or --patience has a best
    /// epoch, "best/parameters" and "best/buffer/...".
    /// </summary>
    public required IReadOnlyList<(string Name, ReadOnlyMemory<float> Values)> Tensors { get; init; }
    /// <summary>The training rows' order: the shuffled order of the epoch in progress, or between epochs the order the next shuffle starts from.</summary>
    public required int[] Order { get; init; }

    // History (config.json shows it).
    public string? StartedAt { get; init; }
    public IReadOnlyList<ResumeRecord> Resumes { get; init; } = [];

    public static string PathIn(string runDir) => Path.Combine(runDir, FileName);

    /// <summary>True when <paramref name="runDir"/> holds a checkpoint (a run to resume rather than start).</summary>
    public static bool Exists(string runDir) => File.Exists(PathIn(runDir));

    /// <summary>Reads and validates a run directory's checkpoint.</summary>
    public static Checkpoint Load(string runDir)
    {
        if (!Directory.Exists(runDir))
            throw new FcnLabException($"Cannot resume: run directory '{runDir}' does not exist.");
        string path = PathIn(runDir);
        if (!File.Exists(path))
            throw new FcnLabException($"Cannot resume: '{runDir}' holds no {FileName} (it is not a run directory, or its run was stopped before its first checkpoint was written). Start the run again instead.");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new FcnLabException($"Cannot read checkpoint '{path}': {e.Message}", e); }
        return Parse(bytes, path);
    }

    /// <summary>Writes the checkpoint into <paramref name="runDir"/> atomically (temp file, flush, rename).</summary>
    public void Save(string runDir) => AtomicFile.WriteAllBytes(PathIn(runDir), Serialize());

    public byte[] Serialize()
    {
        if (Order.Length != Data.TrainCount)
            throw new InvalidOperationException($"The row order has {Order.Length} entries for {Data.TrainCount} training rows.");
        var header = new MemoryStream();
        using (var w = new Utf8JsonWriter(header, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", "fcnlab-checkpoint");
            w.WriteString("fcnlab_version", RunDirectory.Version);
            w.WriteString("status", Status.ToText());
            w.WriteString("preset", Config.Preset);
            w.WriteStartObject("config");
            foreach (var (name, value) in TrainSettings.ToSettings(Config)) w.WriteString(name, value);
            w.WriteEndObject();

            w.WriteStartObject("data");
            ModelFile.WriteInts(w, "image_shape", Data.ImageShape);
            w.WriteNumber("classes", Data.Classes);
            w.WriteNumber("train_count", Data.TrainCount);
            w.WriteNumber("val_count", Data.ValCount);
            w.WriteNumber("test_count", Data.TestCount);
            w.WriteString("labels_sha256", Data.LabelsSha256);
            w.WriteEndObject();

            w.WriteStartObject("normalization");
            w.WriteString("kind", Normalization.Name(Normalization.Kind));
            w.WriteNumber("mean", (double)Normalization.Mean); // as double: exact, and read back exactly
            w.WriteNumber("std", (double)Normalization.Std);
            w.WriteEndObject();

            w.WriteStartObject("position");
            w.WriteNumber("epochs_done", EpochsDone);
            w.WriteBoolean("in_epoch", InEpoch);
            w.WriteNumber("step", Step);
            WriteDouble(w, "epoch_lr", EpochLr);
            WriteDouble(w, "loss_sum", LossSum);
            w.WriteNumber("correct_sum", CorrectSum);
            w.WriteNumber("seen", Seen);
            WriteDouble(w, "epoch_seconds", EpochSeconds);
            RunDirectory.WriteNullable(w, "diverged_epoch", DivergedEpoch);
            RunDirectory.WriteNullable(w, "diverged_step", DivergedStep);
            w.WriteEndObject();

            w.WriteNumber("optimizer_steps", OptimizerSteps);
            w.WriteStartArray("schedule_state");
            foreach (double v in ScheduleState) WriteDoubleValue(w, v);
            w.WriteEndArray();
            w.WriteStartObject("rng");
            WriteWords(w, "split", SplitRng);
            WriteWords(w, "init", InitRng);
            WriteWords(w, "shuffle", ShuffleRng);
            WriteWords(w, "dropout", DropoutRng);
            if (AugmentRng != null) WriteWords(w, "augment", AugmentRng);
            w.WriteEndObject();
            w.WriteStartObject("early_stopping");
            WriteDouble(w, "best_val_loss", BestValLoss);
            w.WriteNumber("epochs_since_best", EpochsSinceBest);
            w.WriteEndObject();

            w.WriteStartArray("metrics");
            foreach (var e in Metrics)
            {
                w.WriteStartObject();
                w.WriteNumber("epoch", e.Epoch);
                WriteDouble(w, "train_loss", e.TrainLoss);
                WriteDouble(w, "train_accuracy", e.TrainAccuracy);
                WriteNullableDouble(w, "val_loss", e.ValLoss);
                WriteNullableDouble(w, "val_accuracy", e.ValAccuracy);
                WriteDouble(w, "lr", e.Lr);
                WriteDouble(w, "seconds", e.Seconds);
                w.WriteEndObject();
            }
            w.WriteEndArray();

            w.WriteString("started_at", StartedAt);
            w.WriteStartArray("resumes");
            foreach (var r in Resumes) RunDirectory.WriteResume(w, r);
            w.WriteEndArray();

            w.WriteStartArray("tensors");
            foreach (var (name, values) in Tensors)
            {
                w.WriteStartObject();
                w.WriteString("name", name);
                w.WriteNumber("length", values.Length);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        long payload = (Tensors.Sum(t => (long)t.Values.Length) + Order.Length) * 4;
        return ChecksummedFile.Build(Magic, FormatVersion, header.ToArray(), payload, output =>
        {
            foreach (var (_, values) in Tensors) ChecksummedFile.WriteFloats(output, values.Span);
            // int32 and float32 are both 4-byte little-endian words: the bits are copied, not converted.
            ChecksummedFile.WriteFloats(output, MemoryMarshal.Cast<int, float>(Order.AsSpan()));
        });
    }

    public static Checkpoint Parse(byte[] bytes, string path)
    {
        string Bad(string what) => ChecksummedFile.Invalid(path, Kind, what);
        if (ModelFile.HasMagic(bytes))
            throw new FcnLabException(Bad("it is a model file (model.fcnlab), not a checkpoint"));
        var (headerBytes, payloadBytes) = ChecksummedFile.Open(bytes, Magic, FormatVersion, path, Kind);
        try
        {
            using var doc = JsonDocument.Parse(headerBytes);
            var root = doc.RootElement;
            var config = ReadConfig(root, path);

            var d = root.GetProperty("data");
            var data = new DataFingerprint(ModelFile.ReadInts(d.GetProperty("image_shape")), d.GetProperty("classes").GetInt32(),
                d.GetProperty("train_count").GetInt32(), d.GetProperty("val_count").GetInt32(), d.GetProperty("test_count").GetInt32(),
                ChecksummedFile.Text(d.GetProperty("labels_sha256")));
            if (data.TrainCount < 0) throw new FcnLabException(Bad($"a negative training count ({data.TrainCount})"));
            if (data.LabelsSha256.Length != 64 || !data.LabelsSha256.All(char.IsAsciiHexDigit))
                throw new FcnLabException(Bad($"its labels_sha256 '{data.LabelsSha256}' is not a SHA-256 (64 hexadecimal digits)"));

            var n = root.GetProperty("normalization");
            var normalization = new Normalization(Normalization.ParseKind(ChecksummedFile.Text(n.GetProperty("kind"))),
                (float)n.GetProperty("mean").GetDouble(), (float)n.GetProperty("std").GetDouble());

            var p = root.GetProperty("position");
            var metrics = root.GetProperty("metrics").EnumerateArray().Select(e => new EpochMetrics(
                e.GetProperty("epoch").GetInt32(), ReadDouble(e.GetProperty("train_loss")), ReadDouble(e.GetProperty("train_accuracy")),
                ReadNullableDouble(e.GetProperty("val_loss")), ReadNullableDouble(e.GetProperty("val_accuracy")),
                ReadDouble(e.GetProperty("lr")), ReadDouble(e.GetProperty("seconds")))).ToList();
            var rng = root.GetProperty("rng");
            var early = root.GetProperty("early_stopping");

            // Payload: the float tensors in header order, then the row order.
            var payload = payloadBytes.Span;
            var tensors = new List<(string, ReadOnlyMemory<float>)>();
            long pos = 0;
            foreach (var t in root.GetProperty("tensors").EnumerateArray())
            {
                string name = ChecksummedFile.Text(t.GetProperty("name"));
                int length = t.GetProperty("length").GetInt32();
                if (length < 0 || pos + 4L * length > payload.Length)
                    throw new FcnLabException(Bad($"tensor {name} ({length} values) does not fit in the file"));
                var values = new float[length];
                ChecksummedFile.ReadFloats(payload.Slice((int)pos, length * 4), values);
                tensors.Add((name, values));
                pos += 4L * length;
            }
            if (pos + 4L * data.TrainCount != payload.Length)
                throw new FcnLabException(Bad($"its tensors and row order ({data.TrainCount} rows) do not cover its data"));
            var order = new int[data.TrainCount];
            ChecksummedFile.ReadFloats(payload.Slice((int)pos), MemoryMarshal.Cast<int, float>(order.AsSpan()));

            return new Checkpoint
            {
                Config = config,
                Status = ReadStatus(ChecksummedFile.Text(root.GetProperty("status"))),
                EpochsDone = p.GetProperty("epochs_done").GetInt32(),
                InEpoch = p.GetProperty("in_epoch").GetBoolean(),
                Step = p.GetProperty("step").GetInt32(),
                EpochLr = ReadDouble(p.GetProperty("epoch_lr")),
                LossSum = ReadDouble(p.GetProperty("loss_sum")),
                CorrectSum = p.GetProperty("correct_sum").GetInt64(),
                Seen = p.GetProperty("seen").GetInt64(),
                EpochSeconds = ReadDouble(p.GetProperty("epoch_seconds")),
                DivergedEpoch = ReadNullableInt(p.GetProperty("diverged_epoch")),
                DivergedStep = ReadNullableInt(p.GetProperty("diverged_step")),
                Normalization = normalization,
                Data = data,
                OptimizerSteps = root.GetProperty("optimizer_steps").GetInt64(),
                ScheduleState = root.GetProperty("schedule_state").EnumerateArray().Select(ReadDouble).ToArray(),
                SplitRng = ReadWords(rng.GetProperty("split")),
                InitRng = ReadWords(rng.GetProperty("init")),
                ShuffleRng = ReadWords(rng.GetProperty("shuffle")),
                DropoutRng = ReadWords(rng.GetProperty("dropout")),
                AugmentRng = rng.TryGetProperty("augment", out var augment) ? ReadWords(augment) : null,
                BestValLoss = ReadDouble(early.GetProperty("best_val_loss")),
                EpochsSinceBest = early.GetProperty("epochs_since_best").GetInt32(),
                Metrics = metrics,
                Tensors = tensors,
                Order = order,
                StartedAt = root.GetProperty("started_at").GetString(),
                Resumes = root.GetProperty("resumes").EnumerateArray().Select(RunDirectory.ReadResume).ToList(),
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new FcnLabException(Bad($"its header is malformed ({e.Message})"), e);
        }
    }

    private static RunStatus ReadStatus(string text) =>
        RunStatusText.TryParse(text, out var status) ? status : throw new FormatException($"unknown status '{text}'");

    /// <summary>The config, through the same setting names and parsers as flags and YAML (validated when a run resumes).</summary>
    private static TrainConfig ReadConfig(JsonElement root, string path)
    {
        var settings = root.GetProperty("config").EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, ChecksummedFile.Text(p.Value))).ToList();
        try
        {
            return TrainSettings.Apply(new TrainConfig { Preset = root.GetProperty("preset").GetString() }, settings);
        }
        catch (FcnLabException e)
        {
            throw new FcnLabException(ChecksummedFile.Invalid(path, Kind, $"its config is not valid ({e.Message})"), e);
        }
    }

    // JSON has no infinities or NaN: those (+infinity is "no best loss yet") are written as strings.
    private static void WriteDoubleValue(Utf8JsonWriter w, double v)
    {
        if (double.IsFinite(v)) w.WriteNumberValue(v);
        else w.WriteStringValue(v.ToString(CultureInfo.InvariantCulture));
    }

    private static void WriteDouble(Utf8JsonWriter w, string name, double v)
    {
        w.WritePropertyName(name);
        WriteDoubleValue(w, v);
    }

    private static void WriteNullableDouble(Utf8JsonWriter w, string name, double? v)
    {
        if (v is { } x) WriteDouble(w, name, x);
        else w.WriteNull(name);
    }

    private static double ReadDouble(JsonElement e) => e.ValueKind == JsonValueKind.String
        ? double.Parse(ChecksummedFile.Text(e), NumberStyles.Float, CultureInfo.InvariantCulture)
        : e.GetDouble();

    private static double? ReadNullableDouble(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : ReadDouble(e);

    private static int? ReadNullableInt(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetInt32();

    private static void WriteWords(Utf8JsonWriter w, string name, ulong[] words)
    {
        w.WriteStartArray(name);
        foreach (ulong x in words) w.WriteNumberValue(x);
        w.WriteEndArray();
    }

    private static ulong[] ReadWords(JsonElement e) => e.EnumerateArray().Select(x => x.GetUInt64()).ToArray();
}
