namespace FcnLab.Interop.Onnx;

/// <summary>How <see cref="OnnxExporter"/> writes a model.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>Adds a second output "probabilities": Softmax(logits, axis=1).</summary>
    public bool Softmax { get; init; }

    /// <summary>The ai.onnx opset the graph declares: <see cref="OnnxExporter.MinOpset"/> to <see cref="OnnxExporter.MaxOpset"/>.</summary>
    public int Opset { get; init; } = OnnxExporter.MinOpset;
}
