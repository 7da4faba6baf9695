using FcnLab.Engine.IO;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Models;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using FcnLab.Engine.Training;

namespace FcnLab.Interop.SafeTensors;

/// <summary>
/// Writes a model's weights as the safetensors file of the equivalent PyTorch nn.Sequential's
/// state_dict (keys "0.weight", "1.running_mean", ...; Linear weights [out, in]; BatchNorm's
/// num_batches_tracked as int64 0, since FcnLab does not count batches and PyTorch's momentum
/// update does not use it), plus the sidecar that says how to build that Sequential and feed it
/// (<see cref="SafeTensorsSidecar"/>). In PyTorch:
/// <c>model = nn.Sequential(*[eval(s) for s in sidecar["layers"]]); model.load_state_dict(tensors)</c>.
/// Also a Python file defining the network as a torch.nn module (<see cref="PyTorchScript"/>), the
/// one way to build a network with residual blocks (res(...)) or gap, whose sidecar layers name that
/// file's classes; their sidecar also keeps FcnLab's --arch text, so import rebuilds them exactly.
/// </summary>
public static class SafeTensorsExporter
{
    /// <summary>Writes <paramref name="outPath"/>, its sidecar <paramref name="outPath"/>.json and its Python file (<see cref="PyTorchScript.PathFor"/>), each atomically.</summary>
    public static void Write(ModelContents model, string outPath)
    {
        var (bytes, sidecar) = Export(model);
        AtomicFile.WriteAllBytes(outPath, bytes);
        sidecar.Write(SafeTensorsSidecar.PathFor(outPath));
        AtomicFile.WriteAllText(PyTorchScript.PathFor(outPath), Script(model, Path.GetFileName(outPath)));
    }

    /// <summary>The Python file defining <paramref name="model"/>'s network in torch.nn, for weights in <paramref name="safetensorsName"/>.</summary>
    public static string Script(ModelContents model, string safetensorsName)
    {
        using var pool = new WorkerPool(1);
        return PyTorchScript.Source(NetworkBuilder.Build(model.Spec, pool, new Rng(0)), safetensorsName);
    }

    /// <summary>The safetensors bytes and the sidecar of <paramref name="model"/>.</summary>
    public static (byte[] Bytes, SafeTensorsSidecar Sidecar) Export(ModelContents model)
    {
        using var pool = new WorkerPool(1);
        var network = ModelFile.BuildNetwork(model, pool, "the model being exported");
        var values = ModelFile.NamedTensors(network).ToDictionary(t => t.Name, t => t.Value);

        var tensors = new List<SafeTensor>();
        foreach (var entry in PyTorchModules.StateDict(network))
        {
            if (entry.FcnLabName == null)
            {
                tensors.Add(SafeTensor.Int64(entry.Name, entry.Shape, [0L]));
                continue;
            }
            var value = values[entry.FcnLabName];
            // FcnLab's Linear weight is [in, out]; PyTorch's is [out, in].
            var floats = entry.Transposed ? PyTorchModules.Transpose(value.Span, value.Shape[0], value.Shape[1]) : value.Span.ToArray();
            tensors.Add(SafeTensor.Float32(entry.Name, entry.Shape, floats));
        }
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["fcnlab_version"] = RunDirectory.Version };
        var n = model.Normalization;
        var sidecar = new SafeTensorsSidecar
        {
            Layers = network.Layers.Select(PyTorchModules.Describe).ToArray(),
            InputShape = network.InputShape,
            // FcnLab computes (x - Mean) / Std on 0..255; on pixels scaled to [0, 1] that is (x - Mean/255) / (Std/255).
            InputMean = (double)n.Mean / 255,
            InputStd = (double)n.Std / 255,
            ClassNames = model.ClassNames,
            Normalization = n,
            FcnLabInputShape = model.Spec.InputShape,
            // torch.nn's modules cannot say what a res block or gap is; FcnLab's own text can.
            FcnLabArch = model.Spec.Arch.Layers.Any(l => l.Kind is LayerKind.Res or LayerKind.Gap) ? model.Spec.Arch.Text : null,
        };
        return (SafeTensorsFile.Serialize(tensors, metadata), sidecar);
    }
}
