using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>
/// Global average pooling: each channel's mean over the image, flattened (PyTorch's
/// nn.AdaptiveAvgPool2d(1) then nn.Flatten()). x [B, C, H, W] -> y [B, C]. One job per sample on the
/// worker pool; each plane is summed alone in order (in double), so results do not depend on the thread count.
/// </summary>
public sealed unsafe class GlobalAvgPool2d : Layer
{
    private readonly WorkerPool? _pool;
    private readonly IndexJob _forwardJob, _backwardJob;
    private BatchBuffer? _output, _gradInput;
    private Tensor? _input, _y, _gradOutput, _dx;
    private int _channels, _h, _w;

    /// <param name="pool">Worker pool to spread the samples over (null: the calling thread; same results).</param>
    public GlobalAvgPool2d(WorkerPool? pool = null)
    {
        _pool = pool;
        _forwardJob = new IndexJob(ForwardSample);
        _backwardJob = new IndexJob(BackwardSample);
    }

    public override string Describe() => "GlobalAvgPool2d()";

    public override int[] OutputShape(int[] inputShape)
    {
        if (inputShape.Length != 3)
            throw new FcnLabException($"{Describe()} expects samples of shape [channels, height, width] but gets {LayerJobs.Shape(inputShape)}; gap goes after the convolutions, in place of flatten.");
        return [inputShape[0]];
    }

    // x [B, C, H, W] -> y [B, C];  y[b, c] = sum_{i,j} x[b, c, i, j] / (H*W)
    public override Tensor Forward(Tensor input, bool training)
    {
        if (input.Rank != 4)
            throw new FcnLabException($"{Describe()} got an input of shape {LayerJobs.Shape(input.Shape)}; it needs [batch, channels, height, width].");
        int batch = input.Shape[0];
        if (_output == null || input.Shape[1] != _channels || input.Shape[2] != _h || input.Shape[3] != _w)
        {
            (_channels, _h, _w) = (input.Shape[1], input.Shape[2], input.Shape[3]);
            _output = new BatchBuffer(_channels);
            _gradInput = null;
        }
        var y = _output.For(batch);
        (_input, _y) = (input, y);
        LayerJobs.Run(_pool, _forwardJob, batch);
        _y = null;
        return y;
    }

    // dx[b, c, i, j] = dy[b, c] / (H*W)
    public override Tensor? Backward(Tensor gradOutput)
    {
        var x = _input ?? throw new InvalidOperationException($"{Describe()}: Backward called before Forward.");
        int batch = x.Shape[0];
        if (gradOutput.Rank != 2 || gradOutput.Shape[0] != batch || gradOutput.Shape[1] != _channels)
            throw new FcnLabException($"{Describe()} got an output gradient of shape {LayerJobs.Shape(gradOutput.Shape)}; it needs [{batch}, {_channels}] to match the last Forward.");
        if (!NeedsInputGradient) return null;
        _gradInput ??= new BatchBuffer(_channels, _h, _w);
        var dx = _gradInput.For(batch);
        (_gradOutput, _dx) = (gradOutput, dx);
        LayerJobs.Run(_pool, _backwardJob, batch);
        (_gradOutput, _dx) = (null, null);
        return dx;
    }

    private void ForwardSample(int b)
    {
        int area = _h * _w;
        float* x = _input!.Pointer + (long)b * _channels * area;
        float* y = _y!.Pointer + (long)b * _channels;
        for (int c = 0; c < _channels; c++)
        {
            double sum = 0;
            float* plane = x + (long)c * area;
            for (int i = 0; i < area; i++) sum += plane[i];
            y[c] = (float)(sum / area);
        }
    }

    private void BackwardSample(int b)
    {
        int area = _h * _w;
        float* dy = _gradOutput!.Pointer + (long)b * _channels;
        float* dx = _dx!.Pointer + (long)b * _channels * area;
        for (int c = 0; c < _channels; c++)
            new Span<float>(dx + (long)c * area, area).Fill(dy[c] / area);
    }
}
