using System.Text.Json.Serialization;
using FcnLab.Engine.Models;

namespace FcnLab.Engine.Training;

/// <summary>
/// The JSON header of a checkpoint (<see cref="Checkpoint"/>), as written and read (format 2): what the run
/// is (its settings as setting names and values, its data, its normalization), its whole
/// <see cref="TrainingState"/>, and the list of float tensors that follow the header.
/// </summary>
internal sealed record CheckpointHeader
{
    public string Format { get; init; } = "fcnlab-checkpoint";
    public required string FcnlabVersion { get; init; }
    public string? Preset { get; init; }
    public required Dictionary<string, string> Config { get; init; }
    public required DataFingerprint Data { get; init; }
    public required ModelFileNormalization Normalization { get; init; }
    public required TrainingState State { get; init; }
    public required CheckpointTensor[] Tensors { get; init; }
}

/// <summary>A float tensor's name and length; its values follow the header in this order.</summary>
internal sealed record CheckpointTensor(string Name, int Length);

/// <summary>
/// The header's serializer, generated at build time (no reflection): snake_case names, nulls written
/// (and refused where the header needs a value), doubles in their shortest round-trip form and the
/// non-finite ones (+infinity: no best loss yet) as strings, since JSON has no infinities.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(CheckpointHeader))]
internal sealed partial class CheckpointJson : JsonSerializerContext;
