namespace FcnLab.Engine.Models;

/// <summary>One layer of a model summary: what it is, its per-sample output shape, its parameters and its forward FLOPs per sample.</summary>
public sealed record LayerSummary(int Index, string Layer, int[] OutputShape, long Parameters, long Flops)
{
    /// <summary>A res block's layers and projection ("body.0 Conv2d(...)"), counted in the block's row already; empty for the other layers.</summary>
    public IReadOnlyList<LayerSummary> Parts { get; init; } = [];
}
