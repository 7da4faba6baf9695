using FcnLab.Engine.Data;

namespace FcnLab.Engine.Models;

/// <summary>What a model file holds: the architecture, the input normalization, class names and every tensor by name.</summary>
public sealed record ModelContents(ModelSpec Spec, Normalization Normalization, string[] ClassNames, IReadOnlyDictionary<string, (int[] Shape, float[] Values)> Tensors);
