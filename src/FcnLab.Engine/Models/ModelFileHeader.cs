using System.Text.Json.Serialization;

namespace FcnLab.Engine.Models;

/// <summary>The JSON header of a model file (<see cref="ModelFile"/>), as written and read.</summary>
internal sealed record ModelFileHeader
{
    public string Format { get; init; } = "fcnlab-model";
    public required ModelFileArchitecture Architecture { get; init; }
    public required ModelFileNormalization Normalization { get; init; }
    public required string?[] ClassNames { get; init; }
    public required ModelFileTensor[] Tensors { get; init; }
}

/// <summary>
/// The network: the input shape and class count, then (versions 2 and 3) the spec's canonical text, or
/// (version 1, read only) the dense shorthand's settings.
/// </summary>
internal sealed record ModelFileArchitecture
{
    public required int[] InputShape { get; init; }
    public required int Classes { get; init; }
    public string? Arch { get; init; }
    public int[]? Hidden { get; init; }
    public string? Activation { get; init; }
    public float? LeakySlope { get; init; }
    public bool? BatchNorm { get; init; }
    public float? Dropout { get; init; }
}

/// <summary>(x - Mean) / Std on 0..255 pixels, and the kind's name (standardize, scale, none).</summary>
internal sealed record ModelFileNormalization(string Kind, float Mean, float Std);

/// <summary>A tensor's name and shape; its values follow the header in this order.</summary>
internal sealed record ModelFileTensor(string Name, int[] Shape);

/// <summary>
/// The header's serializer, generated at build time (no reflection): snake_case names, the version-1
/// fields left out when null, nulls refused where the header needs a value. Floats are written in
/// their shortest round-trip form, so they read back exactly.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(ModelFileHeader))]
internal sealed partial class ModelFileJson : JsonSerializerContext;
