using System.Globalization;
using FcnLab.Engine;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Models;

namespace FcnLab.Interop.SafeTensors;

/// <summary>
/// FcnLab's layers as PyTorch's torch.nn modules: the constructor call that builds a module computing
/// exactly what the layer computes (<c>eval</c> it after <c>from torch.nn import *</c>), and the
/// state_dict entries it has. An nn.Sequential of these, in the network's order, has the same
/// state_dict keys as FcnLab's tensors plus BatchNorm's num_batches_tracked.
/// </summary>
public static class PyTorchModules
{
    /// <summary>
    /// E.g. "Linear(784, 1200)", "BatchNorm1d(1200, eps=1e-05, momentum=0.1)", "LeakyReLU(0.01)",
    /// "Conv2d(1, 6, 5, stride=1, padding=2)", "MaxPool2d(2, stride=2)". Defaults that FcnLab's layers
    /// share with PyTorch's (pools' ceil_mode=False and dilation 1, AvgPool2d's count_include_pad=True,
    /// Flatten's start_dim=1) are left to PyTorch.
    /// </summary>
    public static string Describe(Layer layer) => layer switch
    {
        Linear l => $"Linear({l.InFeatures}, {l.OutFeatures})",
        BatchNorm1d bn => $"BatchNorm1d({bn.Features}, eps={Number(bn.Eps)}, momentum={Number(bn.Momentum)})",
        BatchNorm2d bn => $"BatchNorm2d({bn.Features}, eps={Number(bn.Eps)}, momentum={Number(bn.Momentum)})",
        ReLU => "ReLU()",
        Sigmoid => "Sigmoid()",
        Tanh => "Tanh()",
        LeakyReLU l => $"LeakyReLU({Number(l.NegativeSlope)})",
        Dropout d => $"Dropout({Number(d.P)})",
        Conv2d c => $"Conv2d({c.InChannels}, {c.OutChannels}, {c.KernelSize}, stride={c.Stride}, padding={c.Padding}{(c.Bias == null ? ", bias=False" : "")})",
        MaxPool2d p => $"MaxPool2d({p.KernelSize}, stride={p.Stride}{(p.Padding != 0 ? $", padding={p.Padding}" : "")})",
        AvgPool2d p => $"AvgPool2d({p.KernelSize}, stride={p.Stride}{(p.Padding != 0 ? $", padding={p.Padding}" : "")})",
        Flatten => "Flatten()",
        // Not torch.nn's: the classes the export's Python file defines (PyTorchScript).
        GlobalAvgPool2d => "GlobalAvgPool2d()",
        Residual b => $"Residual(Sequential({string.Join(", ", b.Body.Select(Describe))})"
            + (b.Downsample.Count > 0 ? $", Sequential({string.Join(", ", b.Downsample.Select(Describe))})" : "") + ")",
        _ => throw new FcnLabException($"{layer.Describe()} has no PyTorch equivalent known to FcnLab's safetensors export."),
    };

    /// <summary>
    /// The layer's state_dict entries as PyTorch names and shapes them (Linear's weight [out, in], the
    /// transpose of FcnLab's), with the FcnLab tensor each one comes from (null: num_batches_tracked,
    /// which FcnLab does not keep) and whether it is FcnLab's transpose.
    /// </summary>
    public static IEnumerable<StateEntry> StateDict(Sequential network) =>
        network.Layers.SelectMany((layer, i) => StateDict(layer, i.ToString(CultureInfo.InvariantCulture)));

    /// <summary>One layer's entries under <paramref name="prefix"/> ("3"; a res block's layers under "3.body.0", its projection under "3.downsample.0").</summary>
    private static IEnumerable<StateEntry> StateDict(Layer layer, string prefix)
    {
        if (layer is Residual block)
        {
            foreach (var (name, part) in block.Parts())
                foreach (var entry in StateDict(part, $"{prefix}.{name}")) yield return entry;
            yield break;
        }
        foreach (var p in layer.Parameters)
        {
            bool transposed = layer is Linear && p.Name == "weight";
            int[] shape = transposed ? [p.Shape[1], p.Shape[0]] : p.Shape;
            yield return new StateEntry($"{prefix}.{p.Name}", shape, $"{prefix}.{p.Name}", transposed);
        }
        foreach (var (name, value) in layer.Buffers) yield return new StateEntry($"{prefix}.{name}", value.Shape, $"{prefix}.{name}", false);
        if (layer is BatchNormBase) yield return new StateEntry($"{prefix}.num_batches_tracked", [], null, false);
    }

    /// <summary>[rows, cols] -> [cols, rows].</summary>
    public static float[] Transpose(ReadOnlySpan<float> values, int rows, int cols)
    {
        var result = new float[values.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) result[c * rows + r] = values[r * cols + c];
        return result;
    }

    // Shortest round-trip text, with PyTorch's lower-case exponent ("1e-05").
    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture).ToLowerInvariant();

    private static string Number(float value) => value.ToString("R", CultureInfo.InvariantCulture).ToLowerInvariant();
}

/// <summary>One state_dict entry: PyTorch's name and shape, the FcnLab tensor it holds (null for num_batches_tracked), and whether that is stored transposed in FcnLab.</summary>
public sealed record StateEntry(string Name, int[] Shape, string? FcnLabName, bool Transposed);
