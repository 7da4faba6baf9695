using System.Text.Json;
using System.Text.Json.Serialization;

namespace FcnLab.Engine.Training;

/// <summary>A <see cref="RunStatus"/> as its text on disk (<see cref="RunStatusText"/>): "running", "early-stopped", ...</summary>
internal sealed class RunStatusJsonConverter : JsonConverter<RunStatus>
{
    public override RunStatus Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && RunStatusText.TryParse(reader.GetString(), out var status)
            ? status
            : throw new JsonException($"unknown status {(reader.TokenType == JsonTokenType.String ? $"'{reader.GetString()}'" : reader.TokenType.ToString())}");

    public override void Write(Utf8JsonWriter writer, RunStatus value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToText());
}
