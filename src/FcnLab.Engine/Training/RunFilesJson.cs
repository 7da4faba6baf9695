using System.Text.Json.Serialization;

namespace FcnLab.Engine.Training;

/// <summary>
/// The serializer of a run directory's JSON files (config.json, summary.json), generated at build time
/// (no reflection): snake_case names, indented, each file ending with a newline.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(ConfigJson))]
[JsonSerializable(typeof(SummaryJson))]
[JsonSerializable(typeof(string))]
internal sealed partial class RunFilesJson : JsonSerializerContext;
