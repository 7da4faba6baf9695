using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using FcnLab.Engine.Data;
using FcnLab.Engine.IO;
using FcnLab.Engine.Models;

namespace FcnLab.Engine.Training;

/// <summary>
/// A run's checkpoint.fcnlab: what the run is (its settings, data and normalization) and its whole
/// <see cref="TrainingState"/>, written after every epoch and when a run is interrupted (after the step in
/// progress), so that
/// <see cref="Trainer.Resume(Checkpoint, string, ImageDataset, ITrainingObserver, int?, int?, CancellationToken)"/>
/// continues with exactly the bits an uninterrupted run would have had.
/// <para>
/// File layout (<see cref="ChecksummedFile"/>, as model.fcnlab but with its own magic): magic
/// "\x89FCNCKPT\n", format version, a JSON header (<see cref="CheckpointHeader"/>: the state as JSON and
/// the list of float tensors), then the tensors as little-endian float32 in header order, then the row
/// order as int32 (one per training row), then a SHA-256 of everything before it. Format 1 (read only)
/// held the state's members at the header's top level.
/// </para>
/// </summary>
public sealed record Checkpoint
{
    public const string FileName = "checkpoint.fcnlab";
    public const int FormatVersion = 2;
    private const int FirstFormatVersion = 1;
    private const string Kind = "checkpoint";
    private static readonly byte[] Magic = [0x89, (byte)'F', (byte)'C', (byte)'N', (byte)'C', (byte)'K', (byte)'P', (byte)'T'];

    /// <summary>The run's settings (Epochs: the total it is training to; Threads: the run's own, while each resume records the threads it ran on).</summary>
    public required TrainConfig Config { get; init; }
    public required Normalization Normalization { get; init; }
    public required DataFingerprint Data { get; init; }

    /// <summary>Where the run stands and what it carries (its <see cref="TrainingState.Order"/> in the payload).</summary>
    public required TrainingState State { get; init; }

    /// <summary>
    /// Float tensors by name: "parameters" (the flat parameter buffer), "buffer/{layer}.{name}" (batch-norm
    /// running statistics), "optimizer/{state name}", and, once --restore-best or --patience has a best
    /// epoch, "best/parameters" and "best/buffer/...".
    /// </summary>
    public required IReadOnlyList<(string Name, ReadOnlyMemory<float> Values)> Tensors { get; init; }

    /// <summary><see cref="RunStatus.Running"/> for a run that can go on (interrupted, or saved between epochs), or the run's final status once its outputs are written.</summary>
    public RunStatus Status => State.Status;

    /// <summary>The run ended and its outputs (model, summary) are written: a sweep records it rather than resuming it.</summary>
    public bool IsFinished => Status != RunStatus.Running;

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
        var order = State.Order;
        if (order.Length != Data.TrainCount)
            throw new InvalidOperationException($"The row order has {order.Length} entries for {Data.TrainCount} training rows.");
        var header = new CheckpointHeader
        {
            FcnlabVersion = RunDirectory.Version,
            Preset = Config.Preset,
            Config = new Dictionary<string, string>(TrainSettings.ToSettings(Config)),
            Data = Data,
            Normalization = new ModelFileNormalization(Normalization.Name(Normalization.Kind), Normalization.Mean, Normalization.Std),
            State = State,
            Tensors = [.. Tensors.Select(t => new CheckpointTensor(t.Name, t.Values.Length))],
        };
        long payload = (Tensors.Sum(t => (long)t.Values.Length) + order.Length) * 4;
        return ChecksummedFile.Build(Magic, FormatVersion, JsonSerializer.SerializeToUtf8Bytes(header, CheckpointJson.Default.CheckpointHeader), payload, output =>
        {
            foreach (var (_, values) in Tensors) ChecksummedFile.WriteFloats(output, values.Span);
            // int32 and float32 are both 4-byte little-endian words: the bits are copied, not converted.
            ChecksummedFile.WriteFloats(output, MemoryMarshal.Cast<int, float>(order.AsSpan()));
        });
    }

    public static Checkpoint Parse(byte[] bytes, string path)
    {
        string Bad(string what) => ChecksummedFile.Invalid(path, Kind, what);
        if (ModelFile.HasMagic(bytes))
            throw new FcnLabException(Bad("it is a model file (model.fcnlab), not a checkpoint"));
        var (version, headerBytes, payloadBytes) = ChecksummedFile.Open(bytes, Magic, FirstFormatVersion, FormatVersion, path, Kind);
        CheckpointHeader header;
        TrainConfig config;
        Normalization normalization;
        try
        {
            header = (version == FirstFormatVersion
                ? JsonSerializer.Deserialize(UpgradeFormat1(headerBytes.Span), CheckpointJson.Default.CheckpointHeader)
                : JsonSerializer.Deserialize(headerBytes.Span, CheckpointJson.Default.CheckpointHeader)) ?? throw new JsonException("the header is null");
            var state = header.State;
            if (state.Metrics.Any(m => m is null) || state.Resumes.Any(r => r is null) || header.Config.Any(s => s.Value is null) || header.Data.ImageShape is null)
                throw new JsonException("a value is null");
            config = ReadConfig(header, path);
            normalization = new Normalization(Normalization.ParseKind(header.Normalization.Kind), header.Normalization.Mean, header.Normalization.Std);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or OverflowException or ArgumentException or NotSupportedException)
        {
            throw new FcnLabException(Bad($"its header is malformed ({e.Message})"), e);
        }
        var data = header.Data;
        if (data.TrainCount < 0) throw new FcnLabException(Bad($"a negative training count ({data.TrainCount})"));
        if (data.LabelsSha256.Length != 64 || !data.LabelsSha256.All(char.IsAsciiHexDigit))
            throw new FcnLabException(Bad($"its labels_sha256 '{data.LabelsSha256}' is not a SHA-256 (64 hexadecimal digits)"));

        // Payload: the float tensors in header order, then the row order.
        var payload = payloadBytes.Span;
        var tensors = new List<(string, ReadOnlyMemory<float>)>();
        long pos = 0;
        foreach (var (name, length) in header.Tensors)
        {
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
        header.State.Order = order;
        return new Checkpoint { Config = config, Normalization = normalization, Data = data, State = header.State, Tensors = tensors };
    }

    /// <summary>
    /// A format-1 header in format 2's shape: format 1 held the state's members at the top level, the
    /// position (and the epoch's rate) in "position", the generators in "rng", and the schedule's state
    /// as an array [last epoch, plateau lr, best, bad epochs, cooldown].
    /// </summary>
    private static byte[] UpgradeFormat1(ReadOnlySpan<byte> header)
    {
        var root = JsonNode.Parse(header)?.AsObject() ?? throw new JsonException("the header is null");
        JsonNode? Take(string name)
        {
            if (!root.TryGetPropertyValue(name, out var node)) throw new JsonException($"the header has no {name}");
            root.Remove(name); // detached, so it can move under "state"
            return node;
        }
        var position = Take("position")!.AsObject();
        var schedule = Take("schedule_state")!.AsArray();
        if (schedule.Count != 5) throw new JsonException($"the schedule state has {schedule.Count} values, not 5");
        var state = new JsonObject { ["status"] = Take("status") };
        JsonNode? epochLr = null;
        foreach (var (name, value) in position.ToList())
        {
            position.Remove(name); // detached, so it can move
            if (name == "epoch_lr") epochLr = value;
            else state[name] = value;
        }
        state["optimizer_steps"] = Take("optimizer_steps");
        state["schedule"] = new JsonObject
        {
            ["lr"] = epochLr ?? throw new JsonException("the position has no epoch_lr"),
            ["last_epoch"] = schedule[0]?.DeepClone(),
            ["plateau_lr"] = schedule[1]?.DeepClone(),
            ["best"] = schedule[2]?.DeepClone(),
            ["num_bad_epochs"] = schedule[3]?.DeepClone(),
            ["cooldown_counter"] = schedule[4]?.DeepClone(),
        };
        state["generators"] = Take("rng");
        state["early_stopping"] = Take("early_stopping");
        state["metrics"] = Take("metrics");
        state["started_at"] = Take("started_at");
        state["resumes"] = Take("resumes");
        root["state"] = state;
        return System.Text.Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    /// <summary>The config, through the same setting names and parsers as flags and YAML (validated when a run resumes).</summary>
    private static TrainConfig ReadConfig(CheckpointHeader header, string path)
    {
        try
        {
            return TrainSettings.Apply(new TrainConfig { Preset = header.Preset }, header.Config);
        }
        catch (FcnLabException e)
        {
            throw new FcnLabException(ChecksummedFile.Invalid(path, Kind, $"its config is not valid ({e.Message})"), e);
        }
    }
}
