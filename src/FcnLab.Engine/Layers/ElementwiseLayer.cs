using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>
/// A shape-preserving layer computed element by element (the activations). Forward and Backward run
/// over fixed chunks of <see cref="LayerJobs.ElementwiseChunk"/> elements, on the worker pool when
/// there is one and the tensor has several chunks; each element is computed alone, so the results
/// are the same on any thread count.
/// </summary>
public abstract class ElementwiseLayer : Layer
{
    private readonly WorkerPool? _pool;
    private readonly IndexJob _forwardJob, _backwardJob;
    private BatchBuffer? _output;
    private BatchBuffer? _gradInput;
    private Tensor? _dy, _dx;

    /// <param name="pool">Worker pool for large tensors (null: the calling thread; same results).</param>
    protected ElementwiseLayer(WorkerPool? pool)
    {
        _pool = pool;
        _forwardJob = new IndexJob(i => Forward(LayerJobs.Chunk(Input!, i), LayerJobs.Chunk(Output!, i)));
        _backwardJob = new IndexJob(i =>
            Backward(LayerJobs.Chunk(Input!, i), LayerJobs.Chunk(Output!, i), LayerJobs.Chunk(_dy!, i), LayerJobs.Chunk(_dx!, i)));
    }

    /// <summary>The last Forward's input and output, kept for Backward.</summary>
    protected Tensor? Input { get; set; }

    protected Tensor? Output { get; set; }

    /// <summary>The last Forward's input (for the gradient check's kink probe).</summary>
    internal Tensor? LastInput => Input;

    public override int[] OutputShape(int[] inputShape) => (int[])inputShape.Clone();

    // x [B, ...] -> y [B, ...]
    public override Tensor Forward(Tensor input, bool training)
    {
        var y = ActivationBuffers.For(ref _output, input);
        (Input, Output) = (input, y);
        LayerJobs.RunElementwise(_pool, _forwardJob, y.Length);
        return y;
    }

    public override Tensor? Backward(Tensor gradOutput)
    {
        var y = Output ?? throw new InvalidOperationException($"{Describe()}: Backward called before Forward.");
        ActivationBuffers.CheckSameShape(gradOutput, y, this);
        if (!NeedsInputGradient) return null;
        var dx = ActivationBuffers.For(ref _gradInput, y);
        (_dy, _dx) = (gradOutput, dx);
        LayerJobs.RunElementwise(_pool, _backwardJob, y.Length);
        (_dy, _dx) = (null, null);
        return dx;
    }

    /// <summary>y = f(x) on one chunk.</summary>
    protected abstract void Forward(ReadOnlySpan<float> x, Span<float> y);

    /// <summary>dx = dy * f'(x) on one chunk, from x or from y = f(x), whichever the layer needs.</summary>
    protected abstract void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx);
}
