using System.Globalization;
using System.Text;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Models;

/// <summary>
/// A network layer by layer (as Keras' model.summary() or torchinfo): output shapes, parameter counts
/// and forward FLOPs per sample, counted as 2 x the multiply-adds of the convolutions and dense layers
/// (the rest are a few operations per value and left out).
/// </summary>
public sealed record ModelSummary(int[] InputShape, IReadOnlyList<LayerSummary> Layers)
{
    public long Parameters => Layers.Sum(l => l.Parameters);
    public long Flops => Layers.Sum(l => l.Flops);

    public static ModelSummary Of(Sequential network)
    {
        var rows = new List<LayerSummary>();
        var shape = network.InputShape;
        for (int i = 0; i < network.Layers.Count; i++)
        {
            var layer = network.Layers[i];
            var output = layer.OutputShape(shape);
            long parameters = layer.Parameters.Sum(p => (long)p.Length);
            long flops = LayerFlops(layer, shape);
            rows.Add(layer is Residual block
                ? new LayerSummary(i, block.Downsample.Count > 0 ? "Residual (with projection)" : "Residual", output, parameters, flops) { Parts = Parts(i, block, shape) }
                : new LayerSummary(i, layer.Describe(), output, parameters, flops));
            shape = output;
        }
        return new ModelSummary((int[])network.InputShape.Clone(), rows);
    }

    /// <summary>A block's rows: its layers, then its projection, each named as in the model file ("body.0").</summary>
    private static List<LayerSummary> Parts(int index, Residual block, int[] input)
    {
        var rows = new List<LayerSummary>();
        foreach (var (list, prefix) in new[] { (block.Body, "body"), (block.Downsample, "downsample") })
        {
            var shape = input;
            for (int j = 0; j < list.Count; j++)
            {
                var output = list[j].OutputShape(shape);
                rows.Add(new LayerSummary(index, $"{prefix}.{j} {list[j].Describe()}", output, list[j].Parameters.Sum(p => (long)p.Length), LayerFlops(list[j], shape)));
                shape = output;
            }
        }
        return rows;
    }

    /// <summary>2 x the multiply-adds of <paramref name="layer"/> for one sample of <paramref name="input"/> (a res block's layers and projection summed).</summary>
    private static long LayerFlops(Layer layer, int[] input)
    {
        switch (layer)
        {
            case Linear l:
                return 2L * l.InFeatures * l.OutFeatures;
            case Conv2d c:
                return 2L * Tensor.SizeOf(c.OutputShape(input)) * c.FanIn;
            case Residual block:
            {
                long total = 0;
                var shape = input;
                foreach (var l in block.Body)
                {
                    total += LayerFlops(l, shape);
                    shape = l.OutputShape(shape);
                }
                shape = input;
                foreach (var l in block.Downsample)
                {
                    total += LayerFlops(l, shape);
                    shape = l.OutputShape(shape);
                }
                return total;
            }
            default:
                return 0;
        }
    }

    /// <summary>The summary of the network a spec builds (built on the side, with zero weights).</summary>
    public static ModelSummary Of(ModelSpec spec)
    {
        NetworkBuilder.Validate(spec); // a spec too large to build is refused before it is built
        using var pool = new WorkerPool(1);
        return Of(NetworkBuilder.Build(spec, pool, new Rng(0)));
    }

    /// <summary>A table for people: one line per layer, then the totals.</summary>
    public string Format()
    {
        var inv = CultureInfo.InvariantCulture;
        int width = Math.Max(40, Layers.SelectMany(l => l.Parts.Select(p => p.Layer.Length + 2).Append(l.Layer.Length)).Max());
        var sb = new StringBuilder();
        sb.Append(inv, $"{"#",3}  {"layer".PadRight(width)}  {"output",-14} {"parameters",12} {"FLOPs",14}\n");
        sb.Append(inv, $"{"",3}  {"input".PadRight(width)}  {ArchSpec.ShapeText(InputShape),-14}\n");
        foreach (var l in Layers)
        {
            sb.Append(inv, $"{l.Index,3}  {l.Layer.PadRight(width)}  {ArchSpec.ShapeText(l.OutputShape),-14} {l.Parameters,12:N0} {l.Flops,14:N0}\n");
            // A block's parts, indented; their counts are in the block's row.
            foreach (var p in l.Parts)
                sb.Append(inv, $"{"",3}  {("  " + p.Layer).PadRight(width)}  {ArchSpec.ShapeText(p.OutputShape),-14} {p.Parameters,12:N0} {p.Flops,14:N0}\n");
        }
        sb.Append(inv, $"{"",3}  {"total".PadRight(width)}  {"",-14} {Parameters,12:N0} {Flops,14:N0}\n");
        sb.Append("FLOPs: forward, per sample, 2 x multiply-adds of the convolutions and dense layers.\n");
        return string.Join("\n", sb.ToString().Split('\n').Select(line => line.TrimEnd()));
    }
}
