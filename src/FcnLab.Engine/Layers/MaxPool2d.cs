using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>
/// Max pooling over square windows (PyTorch's nn.MaxPool2d, dilation 1, ceil_mode=False): padding
/// counts as -infinity. Like PyTorch, the first maximum in the window (row-major) wins a tie and a
/// NaN wins over numbers; backward sends each output's gradient to that one input.
/// </summary>
public sealed unsafe class MaxPool2d : Pool2d
{
    private readonly Dictionary<int, int[]> _argmaxByPlanes = [];
    private int[] _argmax = [];

    /// <param name="stride">null: the kernel size (PyTorch's default).</param>
    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0, WorkerPool? pool = null)
        : base("MaxPool2d", kernelSize, stride, padding, pool) { }

    public override string Describe() => $"MaxPool2d(kernel_size={KernelSize}, stride={Stride}, padding={Padding}, dilation=1, ceil_mode=False)";

    protected override void Prepare(int planes)
    {
        int length = planes * OutH * OutW;
        if (!_argmaxByPlanes.TryGetValue(length, out var argmax)) _argmaxByPlanes[length] = argmax = new int[length];
        _argmax = argmax;
    }

    // y[r, q] = max over the window of x;  argmax kept for backward
    protected override void ForwardPlane(int plane, float* x, float* y)
    {
        int outSize = OutH * OutW;
        var argmax = _argmax.AsSpan(plane * outSize, outSize);
        for (int r = 0; r < OutH; r++)
        {
            var (r0, r1) = Window(r, H);
            for (int q = 0; q < OutW; q++)
            {
                var (c0, c1) = Window(q, W);
                float best = float.NegativeInfinity;
                int at = r0 * W + c0;
                for (int i = r0; i < r1; i++)
                {
                    for (int j = c0; j < c1; j++)
                    {
                        float v = x[i * W + j];
                        if (v > best || float.IsNaN(v))
                        {
                            best = v;
                            at = i * W + j;
                        }
                    }
                }
                y[r * OutW + q] = best;
                argmax[r * OutW + q] = at;
            }
        }
    }

    // dx[argmax(r, q)] += dy[r, q]
    protected override void BackwardPlane(int plane, float* dy, float* dx)
    {
        int outSize = OutH * OutW;
        var argmax = _argmax.AsSpan(plane * outSize, outSize);
        for (int o = 0; o < outSize; o++) dx[argmax[o]] += dy[o];
    }
}
