using System.Text;
using FcnLab.Engine;
using FcnLab.Engine.Data;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Models;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;

namespace FcnLab.Interop.SafeTensors;

/// <summary>
/// Reads the safetensors file of a PyTorch nn.Sequential's state_dict into the FcnLab network of the
/// same architecture: every key, shape and dtype is checked against the network (as PyTorch's
/// load_state_dict(strict=True) does), Linear weights are transposed to FcnLab's [in, out], and
/// BatchNorm's num_batches_tracked is accepted and dropped (FcnLab's momentum update does not use it).
/// </summary>
public static class SafeTensorsImporter
{
    /// <summary>Reads <paramref name="path"/> into a network built from <paramref name="spec"/> and saves it as a model file with the normalization and class names given.</summary>
    public static void Import(string path, ModelSpec spec, Normalization normalization, IReadOnlyList<string> classNames, string outPath) =>
        Import(SafeTensorsFile.Read(path).Tensors, path, spec, normalization, classNames, outPath);

    /// <summary>Where the architecture came from, as the mismatch message says it: the flags, or the sidecar's layers.</summary>
    public enum ArchSource
    {
        Flags,
        SidecarLayers,
    }

    /// <summary>As the overload that reads the file, for tensors already read from <paramref name="path"/>.</summary>
    public static void Import(IReadOnlyList<SafeTensor> tensors, string path, ModelSpec spec, Normalization normalization, IReadOnlyList<string> classNames, string outPath,
        ArchSource source = ArchSource.Flags)
    {
        if (classNames.Count != spec.Classes)
            throw new FcnLabException($"{classNames.Count} class names were given for a model with {spec.Classes} classes.");
        using var pool = new WorkerPool(1);
        var network = NetworkBuilder.Build(spec, pool, new Rng(0));
        LoadInto(network, tensors, path, source);
        foreach (var (name, value) in ModelFile.NamedTensors(network))
            if (ModelFile.NonFinite(name, value.Span) is { } why)
                throw new FcnLabException($"'{path}' cannot be imported: {why} (FcnLab's name for the tensor). Nothing was written.");
        ModelFile.Save(outPath, spec, normalization, classNames, network);
    }

    /// <summary>Copies the state_dict <paramref name="tensors"/> into <paramref name="network"/>; any mismatch is one error listing them all.</summary>
    public static void LoadInto(Sequential network, IReadOnlyList<SafeTensor> tensors, string path, ArchSource source = ArchSource.Flags)
    {
        var byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var fcnlab = ModelFile.NamedTensors(network).ToDictionary(t => t.Name, t => t.Value);
        var entries = PyTorchModules.StateDict(network).ToList();
        var missing = new List<string>();
        var wrong = new List<string>();
        foreach (var e in entries)
        {
            if (!byName.TryGetValue(e.Name, out var t))
            {
                // num_batches_tracked is optional: FcnLab does not use it.
                if (e.FcnLabName != null) missing.Add(e.Name);
                continue;
            }
            var dtype = e.FcnLabName == null ? SafeTensorsDType.I64 : SafeTensorsDType.F32;
            if (t.DType != dtype) wrong.Add($"{e.Name} is {t.DType}, the network needs {dtype}");
            else if (!t.Shape.SequenceEqual(e.Shape)) wrong.Add($"{e.Name} has shape {t.ShapeText} in the file, the network expects [{string.Join(", ", e.Shape)}]");
        }
        var expected = entries.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var unexpected = tensors.Select(t => t.Name).Where(n => !expected.Contains(n)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0 || wrong.Count > 0)
        {
            bool sidecar = source == ArchSource.SidecarLayers;
            var sb = new StringBuilder($"'{path}' does not hold the state_dict of the network built from {(sidecar ? $"the layers in its sidecar '{SafeTensorsSidecar.PathFor(path)}'" : "--arch")}:");
            if (missing.Count > 0) sb.Append("\n  missing keys: ").Append(string.Join(", ", missing));
            if (unexpected.Count > 0) sb.Append("\n  unexpected keys: ").Append(string.Join(", ", unexpected));
            foreach (var w in wrong) sb.Append("\n  ").Append(w);
            sb.Append("\n  That network, as a PyTorch nn.Sequential: ")
              .Append(string.Join(", ", network.Layers.Select((l, i) => $"{i}: {PyTorchModules.Describe(l)}")))
              .Append(sidecar
                  ? ".\n  The sidecar's layers must be the modules of the nn.Sequential whose state_dict was saved ([repr(m) for m in model]); fix them, or give --arch."
                  : ".\n  Give the --arch of the model that was saved (its state_dict, not a wrapper module's: keys \"0.weight\", not \"model.0.weight\").");
            throw new FcnLabException(sb.ToString());
        }
        foreach (var e in entries)
        {
            if (e.FcnLabName == null) continue;
            var target = fcnlab[e.FcnLabName];
            var values = byName[e.Name].Floats();
            // PyTorch's Linear weight [out, in] -> FcnLab's [in, out].
            if (e.Transposed) values = PyTorchModules.Transpose(values, e.Shape[0], e.Shape[1]);
            values.CopyTo(target.Span);
        }
    }

    /// <summary>The class count a state_dict implies: the output size of its last Linear (the highest-index 2-d "N.weight").</summary>
    public static int? InferClasses(IReadOnlyList<SafeTensor> tensors)
    {
        int bestIndex = -1;
        int? classes = null;
        foreach (var t in tensors)
        {
            int dot = t.Name.IndexOf('.', StringComparison.Ordinal);
            if (dot < 1 || t.Name[(dot + 1)..] != "weight" || t.Shape.Length != 2) continue;
            if (!int.TryParse(t.Name[..dot], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index)) continue;
            if (index > bestIndex) (bestIndex, classes) = (index, t.Shape[0]);
        }
        return classes;
    }
}
