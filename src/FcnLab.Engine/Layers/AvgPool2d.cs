using System.Runtime.CompilerServices;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>
/// Average pooling over square windows (PyTorch's nn.AvgPool2d with ceil_mode=False and its default
/// count_include_pad=True: padding counts as zeros, so every window divides by k*k).
/// </summary>
public sealed unsafe class AvgPool2d : Pool2d
{
    /// <param name="stride">null: the kernel size (PyTorch's default).</param>
    public AvgPool2d(int kernelSize, int? stride = null, int padding = 0, WorkerPool? pool = null)
        : base("AvgPool2d", kernelSize, stride, padding, pool) { }

    public override string Describe() => $"AvgPool2d(kernel_size={KernelSize}, stride={Stride}, padding={Padding})";

    // y[r, q] = sum over the window of x / k^2
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void ForwardPlane(int plane, float* x, float* y)
    {
        float divisor = KernelSize * KernelSize;
        for (int r = 0; r < OutH; r++)
        {
            var (r0, r1) = Window(r, H);
            for (int q = 0; q < OutW; q++)
            {
                var (c0, c1) = Window(q, W);
                float sum = 0;
                for (int i = r0; i < r1; i++)
                    for (int j = c0; j < c1; j++) sum += x[i * W + j];
                y[r * OutW + q] = sum / divisor;
            }
        }
    }

    // dx[window(r, q)] += dy[r, q] / k^2
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void BackwardPlane(int plane, float* y, float* dy, float* dx)
    {
        float divisor = KernelSize * KernelSize;
        for (int r = 0; r < OutH; r++)
        {
            var (r0, r1) = Window(r, H);
            for (int q = 0; q < OutW; q++)
            {
                var (c0, c1) = Window(q, W);
                float g = dy[r * OutW + q] / divisor;
                for (int i = r0; i < r1; i++)
                    for (int j = c0; j < c1; j++) dx[i * W + j] += g;
            }
        }
    }
}
