using FcnLab.Engine.Layers;
using FcnLab.Engine.Tensors;

namespace FcnLab.Benchmarks.Probes;

/// <summary>
/// The per-sample products of a convolution alone, against the layer: 128 forward GEMMs of a Conv2d's
/// shape (as Conv2d issues them: y^T [pixels, out] = cols^T * W^T), then the Conv2d's forward and
/// backward on 128 samples (one thread, thread CPU time).
/// </summary>
public static unsafe class ConvGemmProbe
{
    public static void Run(TextWriter output, int inChannels, int outChannels, int kernel, int size, int padding = 0)
    {
        int m = outChannels, k = inChannels * kernel * kernel, side = size + 2 * padding - kernel + 1, n = side * side;
        using var pool = new WorkerPool(1);
        var gemm = new Gemm(pool);
        var a = Tensor.Zeros(m * k);
        var b = Tensor.Zeros(k * n);
        var c = Tensor.Zeros(m * n);
        var conv = new Conv2d(inChannels, outChannels, kernel, padding: padding);
        _ = new ParameterSet(conv.Parameters);
        var x = Tensor.Zeros(128, inChannels, size, size);
        var dy = Tensor.Zeros(128, outChannels, side, side);
        for (int r = 0; r < 5; r++)
        {
            double t0 = ThreadClock.Milliseconds();
            for (int s = 0; s < 128; s++) gemm.Multiply(true, true, n, m, k, b.Pointer, n, a.Pointer, k, c.Pointer, m);
            double g = ThreadClock.Milliseconds() - t0;
            t0 = ThreadClock.Milliseconds();
            conv.Forward(x, true);
            double f = ThreadClock.Milliseconds() - t0;
            t0 = ThreadClock.Milliseconds();
            conv.Backward(dy);
            double bw = ThreadClock.Milliseconds() - t0;
            output.WriteLine($"128 forward GEMMs {n}x{m}x{k}: {g:F2} ms ({2.0 * m * n * k * 128 / g / 1e6:F1} GFLOP/s); Conv2d forward {f:F2} ms, backward {bw:F2} ms");
        }
    }
}
