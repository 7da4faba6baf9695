using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>Buffers for shape-preserving layers, which learn their per-sample shape from the first input.</summary>
internal static class ActivationBuffers
{
    /// <summary>The buffer for like's batch size and shape; (re)creates the BatchBuffer only when the per-sample shape changes.</summary>
    public static Tensor For(ref BatchBuffer? buffer, Tensor like)
    {
        if (buffer != null)
        {
            var t = buffer.For(like.Rows);
            if (t.Shape.AsSpan().SequenceEqual(like.Shape)) return t;
        }
        buffer = new BatchBuffer(like.Shape[1..]);
        return buffer.For(like.Rows);
    }

    public static void CheckSameShape(Tensor gradOutput, Tensor output, string layer)
    {
        if (!gradOutput.Shape.AsSpan().SequenceEqual(output.Shape))
            throw new FcnLabException($"{layer}: the output gradient has shape [{string.Join(", ", gradOutput.Shape)}] but the last Forward produced [{string.Join(", ", output.Shape)}]; pass the gradient of that output.");
    }

    /// <summary>As the other overload, describing the layer only when the shapes differ (a description may be built per call).</summary>
    public static void CheckSameShape(Tensor gradOutput, Tensor output, Layer layer)
    {
        if (!gradOutput.Shape.AsSpan().SequenceEqual(output.Shape)) CheckSameShape(gradOutput, output, layer.Describe());
    }
}
