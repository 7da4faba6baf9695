using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FcnLab.Interop.Tests.Onnx;

/// <summary>
/// Runs an exported ONNX file in ONNX Runtime (Microsoft.ML.OnnxRuntime, its CPU provider): the
/// runtime users deploy to, beside the numpy evaluation that shares no code with it.
/// </summary>
internal static class OnnxRuntimeCheck
{
    /// <summary>The graph's "logits" for <paramref name="pixels"/> [batch, ...sampleShape], flat; one thread, full graph optimization.</summary>
    public static float[] Logits(string modelPath, int[] shape, float[] pixels)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(modelPath, options);
        var input = new DenseTensor<float>(pixels, shape);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), input)], ["logits"]);
        return [.. results.Single().AsEnumerable<float>()];
    }
}
