using System.Numerics;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>
/// A residual block (torchvision's BasicBlock without its final ReLU, which follows as a layer):
/// y = body(x) + shortcut(x), where body is its layers in order and shortcut is the identity, or,
/// when the body changes the shape, <see cref="Downsample"/>: a 1x1 convolution (no bias, with the
/// body's stride) then BatchNorm2d, as torchvision's downsample. x [B, C, H, W] -> y [B, C', H', W'].
/// Tensor names follow a PyTorch module with attributes body (nn.Sequential) and downsample
/// (nn.Sequential(conv, bn)): "body.0.weight", "downsample.1.running_mean".
/// <para>
/// The sum is elementwise over fixed chunks, so results do not depend on the thread count.
/// </para>
/// </summary>
public sealed class Residual : Layer
{
    private readonly WorkerPool? _pool;
    private readonly IndexJob _addJob;
    private BatchBuffer? _output, _gradInput;
    private Tensor? _a, _b, _sum;
    private bool _relu;

    /// <summary>The block's layers, in order.</summary>
    public IReadOnlyList<Layer> Body { get; }

    /// <summary>The projection of the input when the body changes its shape: [conv 1x1, batch norm]; empty for the identity.</summary>
    public IReadOnlyList<Layer> Downsample { get; }

    /// <summary>Built with a ReLU after it (one built <see cref="ReLU.AppliedByPrevious"/>): Forward stores max(y, 0).</summary>
    public bool ReluOnOutput { get; init; }

    /// <param name="body">The block's layers, built for the block's input shape (the first may skip its input gradient when the block is the network's first layer).</param>
    /// <param name="downsample">null for the identity shortcut; else the 1x1 convolution (bias=False) and its BatchNorm2d.</param>
    /// <param name="pool">Worker pool for the sums (null: the calling thread; same results).</param>
    public Residual(IReadOnlyList<Layer> body, (Conv2d Conv, BatchNorm2d Norm)? downsample = null, WorkerPool? pool = null)
    {
        if (body.Count == 0) throw new FcnLabException("A residual block needs at least one layer.");
        if (downsample is { } d && (d.Conv.KernelSize != 1 || d.Conv.Padding != 0 || d.Conv.Bias != null || d.Norm.Channels != d.Conv.OutChannels))
            throw new FcnLabException($"A residual block's projection is a 1x1 convolution without bias and padding and a batch norm of its channels (got {d.Conv.Describe()} and {d.Norm.Describe()}).");
        Body = [.. body];
        Downsample = downsample is { } p ? [p.Conv, p.Norm] : [];
        _pool = pool;
        _addJob = new IndexJob(AddChunk);
        Parameters = [.. Body.SelectMany(l => l.Parameters), .. Downsample.SelectMany(l => l.Parameters)];
    }

    public override IReadOnlyList<Parameter> Parameters { get; }

    public override IEnumerable<(string Name, Parameter Parameter)> NamedParameters =>
        Parts().SelectMany(part => part.Layer.NamedParameters.Select(p => ($"{part.Prefix}.{p.Name}", p.Parameter)));

    public override IReadOnlyList<(string Name, Tensor Value)> Buffers =>
        [.. Parts().SelectMany(part => part.Layer.Buffers.Select(b => ($"{part.Prefix}.{b.Name}", b.Value)))];

    /// <summary>Every layer inside the block with its name prefix ("body.0", "downsample.1"), body first.</summary>
    public IEnumerable<(string Prefix, Layer Layer)> Parts() =>
        Body.Select((l, j) => ($"body.{j}", l)).Concat(Downsample.Select((l, j) => ($"downsample.{j}", l)));

    public override string Describe() =>
        $"Residual({string.Join(" -> ", Body.Select(l => l.Describe()))}"
        + (Downsample.Count > 0 ? $"; downsample: {string.Join(" -> ", Downsample.Select(l => l.Describe()))}" : "") + ")";

    public override int[] OutputShape(int[] inputShape)
    {
        var shape = inputShape;
        foreach (var l in Body) shape = l.OutputShape(shape);
        var shortcut = inputShape;
        foreach (var l in Downsample) shortcut = l.OutputShape(shortcut);
        if (!shape.AsSpan().SequenceEqual(shortcut))
            throw new FcnLabException($"{Describe()}: its layers give {LayerJobs.Shape(shape)} but its shortcut gives {LayerJobs.Shape(shortcut)} for input {LayerJobs.Shape(inputShape)}; they must match to be added.");
        return shape;
    }

    // y = body(x) + shortcut(x)  (then max(y, 0) when built with ReluOnOutput)
    public override Tensor Forward(Tensor input, bool training)
    {
        // Index loops: foreach over the interface would allocate an enumerator per step.
        var h = input;
        for (int j = 0; j < Body.Count; j++) h = Body[j].Forward(h, training);
        var s = input;
        for (int j = 0; j < Downsample.Count; j++) s = Downsample[j].Forward(s, training);
        if (!h.Shape.AsSpan().SequenceEqual(s.Shape))
            throw new FcnLabException($"{Describe()}: its layers give {LayerJobs.Shape(h.Shape)} but its shortcut gives {LayerJobs.Shape(s.Shape)}; they must match to be added.");
        var y = ActivationBuffers.For(ref _output, h);
        Add(h, s, y, ReluOnOutput);
        return y;
    }

    // dx = body'(x)^T dy + shortcut'(x)^T dy  (dy reaches both branches whole)
    public override Tensor? Backward(Tensor gradOutput)
    {
        Tensor? gb = gradOutput;
        for (int j = Body.Count - 1; j >= 0 && gb != null; j--) gb = Body[j].Backward(gb);
        Tensor? gs = gradOutput;
        for (int j = Downsample.Count - 1; j >= 0 && gs != null; j--) gs = Downsample[j].Backward(gs);
        if (!NeedsInputGradient) return null;
        if (gb == null || gs == null)
            throw new InvalidOperationException($"{Describe()}: a layer inside the block computed no input gradient, but the block needs one.");
        var dx = ActivationBuffers.For(ref _gradInput, gb);
        Add(gb, gs, dx, relu: false);
        return dx;
    }

    /// <summary>sum = a + b (max(., 0) with <paramref name="relu"/>), over fixed chunks on the pool.</summary>
    private void Add(Tensor a, Tensor b, Tensor sum, bool relu)
    {
        (_a, _b, _sum, _relu) = (a, b, sum, relu);
        LayerJobs.RunElementwise(_pool, _addJob, sum.Length);
        (_a, _b, _sum) = (null, null, null);
    }

    private void AddChunk(int index)
    {
        ReadOnlySpan<float> a = LayerJobs.Chunk(_a!, index), b = LayerJobs.Chunk(_b!, index);
        Span<float> sum = LayerJobs.Chunk(_sum!, index);
        int i = 0;
        for (; i <= sum.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var v = new Vector<float>(a.Slice(i)) + new Vector<float>(b.Slice(i));
            (_relu ? Vector.Max(v, Vector<float>.Zero) : v).CopyTo(sum.Slice(i));
        }
        for (; i < sum.Length; i++)
        {
            float v = a[i] + b[i];
            sum[i] = _relu && !(v > 0) ? 0f : v;
        }
    }
}
