using System.Numerics;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>
/// y = max(x, 0), elementwise (PyTorch's nn.ReLU). With a worker pool, large tensors are split into
/// fixed chunks over its threads (the result is the same: each element is computed alone).
/// </summary>
public sealed class ReLU : Layer
{
    /// <summary>Elements per parallel chunk: small tensors (dense layers) stay on the calling thread.</summary>
    private const int ChunkLength = 1 << 16;

    private readonly WorkerPool? _pool;
    private readonly IndexJob _forwardJob, _backwardJob;
    private BatchBuffer? _output;
    private BatchBuffer? _gradInput;
    private Tensor? _x, _y, _dy, _dx;

    /// <param name="pool">Worker pool for large tensors (null: the calling thread).</param>
    public ReLU(WorkerPool? pool = null)
    {
        _pool = pool;
        _forwardJob = new IndexJob(i => Forward(Chunk(_x!, i), Chunk(_y!, i)));
        _backwardJob = new IndexJob(i => Backward(Chunk(_y!, i), Chunk(_dy!, i), Chunk(_dx!, i)));
    }

    /// <summary>Set by <see cref="Sequential"/>: the Linear before applied max(x, 0) already, so Forward passes its input through.</summary>
    internal bool AppliedByPrevious { get; set; }

    /// <summary>Set by <see cref="Sequential"/>: the Linear after masked the gradient already, so Backward passes it through.</summary>
    internal bool DerivativeAppliedByNext { get; set; }

    public override string Describe() => "ReLU()";

    public override int[] OutputShape(int[] inputShape) => (int[])inputShape.Clone();

    // x [B, ...] -> y [B, ...]
    public override Tensor Forward(Tensor input, bool training)
    {
        if (AppliedByPrevious)
        {
            _y = input;
            return input;
        }
        var y = ActivationBuffers.For(ref _output, input);
        (_x, _y) = (input, y);
        Run(_forwardJob, y.Length);
        _x = null;
        return y;
    }

    // dx = dy * (y > 0)   (derivative 0 at x = 0, as PyTorch)
    public override Tensor? Backward(Tensor gradOutput)
    {
        var y = _y ?? throw new InvalidOperationException("ReLU: Backward called before Forward.");
        ActivationBuffers.CheckSameShape(gradOutput, y, "ReLU");
        if (!NeedsInputGradient) return null;
        if (DerivativeAppliedByNext) return gradOutput;
        var dx = ActivationBuffers.For(ref _gradInput, y);
        (_dy, _dx) = (gradOutput, dx);
        Run(_backwardJob, y.Length);
        (_dy, _dx) = (null, null);
        return dx;
    }

    private void Run(IParallelJob job, int length)
    {
        int chunks = (length + ChunkLength - 1) / ChunkLength;
        if (chunks > 1) LayerJobs.Run(_pool, job, chunks);
        else job.Execute(0);
    }

    private static Span<float> Chunk(Tensor t, int index)
    {
        int start = index * ChunkLength;
        return t.Span.Slice(start, Math.Min(ChunkLength, t.Length - start));
    }

    private static void Forward(ReadOnlySpan<float> xs, Span<float> ys)
    {
        int i = 0;
        for (; i <= xs.Length - Vector<float>.Count; i += Vector<float>.Count)
            Vector.Max(new Vector<float>(xs.Slice(i)), Vector<float>.Zero).CopyTo(ys.Slice(i));
        for (; i < xs.Length; i++) ys[i] = xs[i] > 0 ? xs[i] : 0f;
    }

    private static void Backward(ReadOnlySpan<float> ys, ReadOnlySpan<float> dys, Span<float> dxs)
    {
        int i = 0;
        for (; i <= ys.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var positive = Vector.GreaterThan(new Vector<float>(ys.Slice(i)), Vector<float>.Zero);
            Vector.ConditionalSelect(positive, new Vector<float>(dys.Slice(i)), Vector<float>.Zero).CopyTo(dxs.Slice(i));
        }
        for (; i < ys.Length; i++) dxs[i] = ys[i] > 0 ? dys[i] : 0f;
    }
}
