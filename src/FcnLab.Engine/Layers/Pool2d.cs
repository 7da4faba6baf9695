using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>
/// What max and average pooling share (PyTorch's MaxPool2d/AvgPool2d with square windows,
/// ceil_mode=False): the geometry, the buffers, and the work split by (sample, channel) planes over
/// the pool. Each plane is computed by one job in a fixed order, so results do not depend on the
/// thread count.
/// </summary>
public abstract unsafe class Pool2d : Layer
{
    /// <summary>Pixels per job, roughly: planes are grouped so a job is worth handing to a thread.</summary>
    private const int PixelsPerJob = 8192;

    private readonly WorkerPool? _pool;
    private readonly IndexJob _forwardJob, _backwardJob;
    private BatchBuffer? _output, _gradInput;
    // The last Forward's input and output (kept: max pooling's backward may read the output).
    private Tensor? _input, _y, _gradOutput, _dx;
    private int _planesPerJob;

    public int KernelSize { get; }
    public int Stride { get; }
    public int Padding { get; }

    /// <summary>Input and output height and width of the last Forward.</summary>
    protected int H { get; private set; }
    protected int W { get; private set; }
    protected int OutH { get; private set; }
    protected int OutW { get; private set; }

    /// <param name="stride">null: the kernel size (PyTorch's default).</param>
    protected Pool2d(string name, int kernelSize, int? stride, int padding, WorkerPool? pool)
    {
        int s = stride ?? kernelSize;
        if (kernelSize < 1 || s < 1 || padding < 0)
            throw new FcnLabException($"{name}: kernel size {kernelSize} and stride {s} must be at least 1 and padding {padding} at least 0.");
        if (2 * padding > kernelSize)
            throw new FcnLabException($"{name}: padding {padding} must be at most half the kernel size {kernelSize} (PyTorch's rule).");
        KernelSize = kernelSize;
        Stride = s;
        Padding = padding;
        _pool = pool;
        _forwardJob = new IndexJob(ForwardPlanes);
        _backwardJob = new IndexJob(BackwardPlanes);
    }

    public override int[] OutputShape(int[] inputShape)
    {
        if (inputShape.Length != 3)
            throw new FcnLabException($"{Describe()} expects samples of shape [channels, height, width] but gets {LayerJobs.Shape(inputShape)}; pooling goes after a convolution, before flatten.");
        var (oh, ow) = OutputSize(inputShape[1], inputShape[2]);
        return [inputShape[0], oh, ow];
    }

    private (int H, int W) OutputSize(int h, int w)
    {
        if (h + 2 * Padding < KernelSize || w + 2 * Padding < KernelSize)
            throw new FcnLabException($"{Describe()}: a {h}x{w} input (padded by {Padding}) is smaller than the {KernelSize}x{KernelSize} window; pool less or earlier.");
        return ((h + 2 * Padding - KernelSize) / Stride + 1, (w + 2 * Padding - KernelSize) / Stride + 1);
    }

    // x [B, C, H, W] -> y [B, C, oH, oW]
    public override Tensor Forward(Tensor input, bool training)
    {
        if (input.Rank != 4)
            throw new FcnLabException($"{Describe()} got an input of shape {LayerJobs.Shape(input.Shape)}; it needs [batch, channels, height, width].");
        int batch = input.Shape[0], channels = input.Shape[1];
        (H, W) = (input.Shape[2], input.Shape[3]);
        var (oh, ow) = OutputSize(H, W);
        if (_output == null || oh != OutH || ow != OutW || _output.For(batch).Shape[1] != channels)
        {
            (OutH, OutW) = (oh, ow);
            _output = new BatchBuffer(channels, oh, ow);
            _gradInput = null;
        }
        var y = _output.For(batch);
        _input = input;
        _y = y;
        int planes = batch * channels;
        _planesPerJob = Math.Max(1, PixelsPerJob / (H * W));
        Prepare(planes);
        LayerJobs.Run(_pool, _forwardJob, (planes + _planesPerJob - 1) / _planesPerJob);
        return y;
    }

    public override Tensor? Backward(Tensor gradOutput)
    {
        var x = _input ?? throw new InvalidOperationException($"{Describe()}: Backward called before Forward.");
        int batch = x.Shape[0], channels = x.Shape[1];
        if (gradOutput.Rank != 4 || gradOutput.Shape[0] != batch || gradOutput.Shape[1] != channels || gradOutput.Shape[2] != OutH || gradOutput.Shape[3] != OutW)
            throw new FcnLabException($"{Describe()} got an output gradient of shape {LayerJobs.Shape(gradOutput.Shape)}; it needs [{batch}, {channels}, {OutH}, {OutW}] to match the last Forward.");
        if (!NeedsInputGradient) return null;
        _gradInput ??= new BatchBuffer(channels, H, W);
        var dx = _gradInput.For(batch);
        _gradOutput = gradOutput;
        _dx = dx;
        int planes = batch * channels;
        LayerJobs.Run(_pool, _backwardJob, (planes + _planesPerJob - 1) / _planesPerJob);
        (_gradOutput, _dx) = (null, null);
        return dx;
    }

    /// <summary>Called before a Forward's planes run, with their count (e.g. to size per-plane state).</summary>
    protected virtual void Prepare(int planes) { }

    /// <summary>One plane: x [H, W] -> y [OutH, OutW].</summary>
    protected abstract void ForwardPlane(int plane, float* x, float* y);

    /// <summary>One plane: dx [H, W] (to be overwritten) from dy [OutH, OutW]; y [OutH, OutW] is the plane's forward output.</summary>
    protected abstract void BackwardPlane(int plane, float* y, float* dy, float* dx);

    /// <summary>The in-image rows (or columns) [start, end) of the window of output row (or column) o.</summary>
    protected (int Start, int End) Window(int o, int size)
    {
        int start = o * Stride - Padding;
        return (Math.Max(start, 0), Math.Min(start + KernelSize, size));
    }

    private void ForwardPlanes(int job)
    {
        int planes = _input!.Shape[0] * _input.Shape[1], inSize = H * W, outSize = OutH * OutW;
        for (int p = job * _planesPerJob, end = Math.Min(planes, p + _planesPerJob); p < end; p++)
            ForwardPlane(p, _input.Pointer + (long)p * inSize, _y!.Pointer + (long)p * outSize);
    }

    private void BackwardPlanes(int job)
    {
        int planes = _input!.Shape[0] * _input.Shape[1], inSize = H * W, outSize = OutH * OutW;
        for (int p = job * _planesPerJob, end = Math.Min(planes, p + _planesPerJob); p < end; p++)
        {
            float* dx = _dx!.Pointer + (long)p * inSize;
            new Span<float>(dx, inSize).Clear();
            BackwardPlane(p, _y!.Pointer + (long)p * outSize, _gradOutput!.Pointer + (long)p * outSize, dx);
        }
    }
}
