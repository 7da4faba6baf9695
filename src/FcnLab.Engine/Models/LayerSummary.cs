namespace FcnLab.Engine.Models;

/// <summary>One layer of a model summary: what it is, its per-sample output shape, its parameters and its forward FLOPs per sample.</summary>
public sealed record LayerSummary(int Index, string Layer, int[] OutputShape, long Parameters, long Flops);
