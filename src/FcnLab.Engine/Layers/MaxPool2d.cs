using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
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

    /// <summary>
    /// Built with a ReLU before it (one built <see cref="ReLU.DerivativeAppliedByNext"/>): backward applies
    /// ReLU's derivative too, by sending an output's gradient only when the output (the winner, a ReLU
    /// output) is above 0.
    /// </summary>
    public bool ReluOnInput { get; init; }

    /// <summary>The last forward's winner per output: the input index within its plane (gradcheck watches it for kinks).</summary>
    internal ReadOnlySpan<int> LastArgmax => _argmax;

    public override string Describe() => $"MaxPool2d(kernel_size={KernelSize}, stride={Stride}, padding={Padding}, dilation=1, ceil_mode=False)";

    protected override void Prepare(int planes)
    {
        int length = planes * OutH * OutW;
        if (!_argmaxByPlanes.TryGetValue(length, out var argmax)) _argmaxByPlanes[length] = argmax = new int[length];
        _argmax = argmax;
    }

    // y[r, q] = max over the window of x;  argmax kept for backward
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void ForwardPlane(int plane, float* x, float* y)
    {
        int outSize = OutH * OutW;
        fixed (int* argmax = &_argmax[plane * outSize])
        {
            if (KernelSize == 2 && Stride == 2 && Padding == 0 && Avx512F.IsSupported)
            {
                Forward2x2(x, y, argmax);
                return;
            }
            for (int r = 0; r < OutH; r++)
            {
                var (r0, r1) = Window(r, H);
                for (int q = 0; q < OutW; q++)
                {
                    var (c0, c1) = Window(q, W);
                    int at = r0 * W + c0;
                    float best = float.NegativeInfinity;
                    for (int i = r0; i < r1; i++)
                    {
                        for (int j = c0; j < c1; j++)
                        {
                            Take(ref best, ref at, x[i * W + j], i * W + j);
                        }
                    }
                    y[r * OutW + q] = best;
                    argmax[r * OutW + q] = at;
                }
            }
        }
    }

    /// <summary>
    /// 2x2 windows, stride 2, no padding, up to 16 outputs of a row at a time: the same rule, lane by
    /// lane, with no branch on the data (a branch per comparison mispredicts on real images and costs
    /// several times the arithmetic). Masked loads and stores handle the row's end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Forward2x2(float* x, float* y, int* argmax)
    {
        var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var odd = even + Vector512<int>.One;
        for (int r = 0; r < OutH; r++)
        {
            float* top = x + 2 * r * W, bottom = top + W;
            for (int q = 0; q < OutW; q += 16)
            {
                int n = Math.Min(16, OutW - q);
                var lo = Lanes(Math.Min(16, 2 * n)).AsSingle();
                var hi = Lanes(Math.Max(0, 2 * n - 16)).AsSingle();
                var t0 = Avx512F.MaskLoad(top + 2 * q, lo, Vector512<float>.Zero);
                var t1 = Avx512F.MaskLoad(top + 2 * q + 16, hi, Vector512<float>.Zero);
                var b0 = Avx512F.MaskLoad(bottom + 2 * q, lo, Vector512<float>.Zero);
                var b1 = Avx512F.MaskLoad(bottom + 2 * q + 16, hi, Vector512<float>.Zero);
                // Window order: top-left, top-right, bottom-left, bottom-right.
                var best = Avx512F.PermuteVar16x32x2(t0, even, t1);
                var at = Vector512.Create(2 * r * W + 2 * q) + even;
                var col = at;
                Take(ref best, ref at, Avx512F.PermuteVar16x32x2(t0, odd, t1), col + Vector512<int>.One);
                Take(ref best, ref at, Avx512F.PermuteVar16x32x2(b0, even, b1), col + Vector512.Create(W));
                Take(ref best, ref at, Avx512F.PermuteVar16x32x2(b0, odd, b1), col + Vector512.Create(W + 1));
                var valid = Lanes(n);
                Avx512F.MaskStore(y + r * OutW + q, valid.AsSingle(), best);
                Avx512F.MaskStore(argmax + r * OutW + q, valid, at);
            }
        }
    }

    /// <summary>A mask of the first <paramref name="count"/> lanes.</summary>
    private static Vector512<int> Lanes(int count) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count));

    /// <summary>PyTorch's rule, without branches (random data mispredicts them): a larger value or a NaN takes over.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take(ref float best, ref int at, float v, int index)
    {
        bool take = v > best | float.IsNaN(v);
        at = take ? index : at;
        best = take ? v : best;
    }

    /// <summary><see cref="Take(ref float, ref int, float, int)"/> in 16 lanes.</summary>
    private static void Take(ref Vector512<float> best, ref Vector512<int> at, Vector512<float> v, Vector512<int> index)
    {
        var take = Vector512.GreaterThan(v, best) | ~Vector512.Equals(v, v);
        best = Vector512.ConditionalSelect(take, v, best);
        at = Vector512.ConditionalSelect(take.AsInt32(), index, at);
    }

    // dx[argmax(r, q)] += dy[r, q]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    // dx[argmax[o]] += dy[o]   (with ReluOnInput, only where y[o] > 0)
    protected override void BackwardPlane(int plane, float* y, float* dy, float* dx)
    {
        int outSize = OutH * OutW;
        var argmax = _argmax.AsSpan(plane * outSize, outSize);
        if (ReluOnInput)
        {
            // Adding 0 where the winner is not above 0 leaves dx as skipping would (dx starts at +0 and
            // never holds -0), without a branch on the data.
            for (int o = 0; o < outSize; o++) dx[argmax[o]] += y[o] > 0f ? dy[o] : 0f;
            return;
        }
        for (int o = 0; o < outSize; o++) dx[argmax[o]] += dy[o];
    }
}
