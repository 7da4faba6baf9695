using System.Numerics;
using System.Runtime.CompilerServices;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>
/// 2-d convolution (PyTorch's nn.Conv2d with a square kernel, dilation 1, groups 1) on
/// [batch, channels, height, width]. Weight [out, in, k, k] as PyTorch stores it, bias [out].
/// <para>
/// Three GEMMs per sample on its image unrolled into columns (im2col: cols [in*k*k, oH*oW]), each
/// oriented so that its large dimensions fill the micro-tile (12 x 32 with AVX-512): with many
/// channels (32, 64: whole 32-column panels) forward y^T [pixels, out] = cols^T * W^T (then
/// transposed into NCHW; bias and a following ReLU in the product's epilogue) and weight gradient
/// dW^T [in*k*k, out] += cols * dy^T; with few channels (LeNet's 6 and 16, which would fill a 32-column
/// panel to a fifth or a half) forward y [out, pixels] = W * cols straight into NCHW and
/// dW [out, in*k*k] += dy * cols^T. Each product is oriented by which fills its tiles better
/// (<see cref="Gemm.TileFill"/>); both give the same bits, as each sum is the same FMA chain.
/// The input gradient is dcols [in*k*k, pixels] = W^T * dy (then folded back, col2im). Small images
/// go several samples to a transposed forward product (their columns side by side), so it has enough rows.
/// Samples are spread over the worker pool; each thread has its own buffers and a single-threaded
/// <see cref="Gemm"/> (one sample's product is too small to split further), so the buffers stay in
/// that core's cache.
/// </para>
/// <para>
/// Determinism: every output and input-gradient element is one GEMM sum in Gemm's fixed order (which
/// depends on k alone, not on how many samples share a product); the weight and bias gradients are
/// summed per chunk of samples, the chunks fixed by the batch size alone, and the chunks' sums added
/// in order. Results do not depend on the thread count.
/// </para>
/// </summary>
public sealed unsafe class Conv2d : Layer
{
    /// <summary>Most chunks a batch is cut into for the weight gradient: enough to share out over the threads, few enough that adding the chunks' sums is cheap.</summary>
    private const int MaxGradientChunks = 16;

    /// <summary>Fewest rows (pixels) a forward product should have: 16 micro-tiles of 12, so partial tiles waste little.</summary>
    private const int MinForwardRows = 192;

    [ThreadStatic] private static Workspace? t_workspace;

    private readonly WorkerPool? _pool;
    private readonly IndexJob _forwardJob, _backwardJob;
    private BatchBuffer? _output, _gradInput;
    private float[] _weightGradChunks = [], _biasGradChunks = [];
    // The last Forward: its input, geometry, and (during a call) the tensors the jobs write.
    private Tensor? _input, _y, _gradOutput, _dx;
    private int _h, _w, _outH, _outW, _chunks, _group;
    // How the last Forward oriented its products: y = W cols (direct) or y^T = cols^T W^T; dW or dW^T.
    private bool _directForward, _directWeightGrad;

    /// <summary>For tests and benchmarks: orient every product one way (true: y = W cols, dW; false: y^T, dW^T) instead of by tile fill.</summary>
    internal bool? Orientation { get; init; }
    private int _gradH, _gradW; // the input size _gradInput was made for

    public int InChannels { get; }
    public int OutChannels { get; }
    public int KernelSize { get; }
    public int Stride { get; }
    public int Padding { get; }

    /// <summary>[out, in, k, k]</summary>
    public Parameter Weight { get; }

    /// <summary>
    /// Built with a ReLU after it (one built <see cref="ReLU.AppliedByPrevious"/>): each sample's product
    /// applies max(y, 0) to its output tiles.
    /// </summary>
    public bool ReluOnOutput { get; init; }

    /// <summary>[out], or null for bias=False.</summary>
    public Parameter? Bias { get; }

    /// <summary>in * k * k: the length of one unrolled input column, and the fan-in of initialization.</summary>
    public int FanIn => InChannels * KernelSize * KernelSize;

    /// <param name="pool">Worker pool to spread the samples over (null: run on the calling thread; same results).</param>
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, bool bias = true, WorkerPool? pool = null)
    {
        if (inChannels < 1 || outChannels < 1)
            throw new FcnLabException($"Conv2d({inChannels}, {outChannels}): both channel counts must be at least 1.");
        if (kernelSize < 1 || stride < 1 || padding < 0)
            throw new FcnLabException($"Conv2d: kernel size {kernelSize} and stride {stride} must be at least 1 and padding {padding} at least 0.");
        if (padding >= kernelSize)
            throw new FcnLabException($"Conv2d: padding {padding} must be smaller than the kernel size {kernelSize} (an output that sees only padding is not useful).");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        _pool = pool;
        Weight = new Parameter("weight", ParameterKind.Weight, outChannels, inChannels, kernelSize, kernelSize);
        Bias = bias ? new Parameter("bias", ParameterKind.Bias, outChannels) : null;
        Parameters = Bias == null ? [Weight] : [Weight, Bias];
        _forwardJob = new IndexJob(ForwardPart);
        _backwardJob = new IndexJob(BackwardChunk);
    }

    public override IReadOnlyList<Parameter> Parameters { get; }

    // PyTorch's repr: padding only when not 0, bias only when off.
    public override string Describe() =>
        $"Conv2d({InChannels}, {OutChannels}, kernel_size=({KernelSize}, {KernelSize}), stride=({Stride}, {Stride})"
        + (Padding != 0 ? $", padding=({Padding}, {Padding})" : "") + (Bias == null ? ", bias=False" : "") + ")";

    public override int[] OutputShape(int[] inputShape)
    {
        if (inputShape.Length != 3 || inputShape[0] != InChannels)
            throw new FcnLabException($"{Describe()} expects samples of shape [{InChannels}, height, width] but gets {LayerJobs.Shape(inputShape)}; make its input channels match the previous layer's output.");
        var (oh, ow) = OutputSize(inputShape[1], inputShape[2]);
        return [OutChannels, oh, ow];
    }

    private (int H, int W) OutputSize(int h, int w)
    {
        int oh = (h + 2 * Padding - KernelSize) / Stride + 1, ow = (w + 2 * Padding - KernelSize) / Stride + 1;
        if (h + 2 * Padding < KernelSize || w + 2 * Padding < KernelSize)
            throw new FcnLabException($"{Describe()}: a {h}x{w} input (padded by {Padding}) is smaller than the {KernelSize}x{KernelSize} kernel; use a smaller kernel, more padding, or less pooling before it.");
        return (oh, ow);
    }

    // x [B, in, H, W] -> y [B, out, oH, oW];  y[b, o] = bias[o] + sum_{c,i,j} W[o, c, i, j] * xpad[b, c, s*oh + i, s*ow + j]
    public override Tensor Forward(Tensor input, bool training)
    {
        if (input.Rank != 4 || input.Shape[1] != InChannels)
            throw new FcnLabException($"{Describe()} got an input of shape {LayerJobs.Shape(input.Shape)}; it needs [batch, {InChannels}, height, width].");
        int batch = input.Shape[0];
        (_h, _w) = (input.Shape[2], input.Shape[3]);
        var (oh, ow) = OutputSize(_h, _w);
        if (_output == null || oh != _outH || ow != _outW)
        {
            (_outH, _outW) = (oh, ow);
            _output = new BatchBuffer(OutChannels, oh, ow);
        }
        var y = _output.For(batch);
        _input = input;
        _y = y;
        var ws = t_workspace ??= new Workspace();
        // A 1x1 convolution reads the image itself as its columns, one sample at a time.
        _group = Pointwise ? 1 : Math.Min(batch, (MinForwardRows + oh * ow - 1) / (oh * ow));
        _directForward = ws.Gemm.TileFill(OutChannels, oh * ow) >= ws.Gemm.TileFill(_group * oh * ow, OutChannels);
        _directWeightGrad = ws.Gemm.TileFill(OutChannels, FanIn) >= ws.Gemm.TileFill(FanIn, OutChannels);
        if (Orientation is bool direct) (_directForward, _directWeightGrad) = (direct, direct);
        if (_directForward) _group = 1;
        // The calling thread's buffers are sized now, not whenever the pool first hands it a sample.
        ws.Columns(_group * FanIn * oh * ow);
        if (!_directForward) ws.Product(_group * OutChannels * oh * ow);
        LayerJobs.Run(_pool, _forwardJob, (batch + _group - 1) / _group);
        _y = null;
        return y;
    }

    // dW += sum_b dy[b] . cols(x[b])^T (or its transpose);  db[o] += sum_{b,oh,ow} dy[b, o];  dx[b] = col2im(W^T dy[b])
    public override Tensor? Backward(Tensor gradOutput)
    {
        var x = _input ?? throw new InvalidOperationException($"{Describe()}: Backward called before Forward.");
        int batch = x.Shape[0];
        if (gradOutput.Rank != 4 || gradOutput.Shape[0] != batch || gradOutput.Shape[1] != OutChannels || gradOutput.Shape[2] != _outH || gradOutput.Shape[3] != _outW)
            throw new FcnLabException($"{Describe()} got an output gradient of shape {LayerJobs.Shape(gradOutput.Shape)}; it needs [{batch}, {OutChannels}, {_outH}, {_outW}] to match the last Forward.");

        _chunks = Math.Min(batch, MaxGradientChunks);
        int weightLength = OutChannels * FanIn;
        // One [in*k*k, out] (or [out, in*k*k]) slot per chunk, and one more for their sum transposed to the weight's layout.
        if (_weightGradChunks.Length < (MaxGradientChunks + 1) * weightLength)
        {
            _weightGradChunks = GC.AllocateArray<float>((MaxGradientChunks + 1) * weightLength, pinned: true);
            _biasGradChunks = new float[MaxGradientChunks * OutChannels];
        }
        if (NeedsInputGradient)
        {
            if (_gradInput == null || _gradH != _h || _gradW != _w)
            {
                (_gradH, _gradW) = (_h, _w);
                _gradInput = new BatchBuffer(InChannels, _h, _w);
            }
            _dx = _gradInput.For(batch);
        }
        _gradOutput = gradOutput;
        LayerJobs.Run(_pool, _backwardJob, _chunks);
        var dx = _dx;
        (_gradOutput, _dx) = (null, null);

        // The chunks' sums, added in chunk order (then, when transposed, turned from [in*k*k, out] to the weight's [out, in*k*k]).
        var sum = _weightGradChunks.AsSpan(0, weightLength);
        for (int c = 1; c < _chunks; c++) Add(_weightGradChunks.AsSpan(c * weightLength, weightLength), sum);
        if (!_directWeightGrad)
        {
            fixed (float* chunks = _weightGradChunks)
                GemmPack.Transpose(chunks, OutChannels, FanIn, OutChannels, chunks + (long)MaxGradientChunks * weightLength, FanIn);
            sum = _weightGradChunks.AsSpan(MaxGradientChunks * weightLength, weightLength);
        }
        Add(sum, Weight.Grad.Span);
        if (Bias != null)
        {
            var db = Bias.Grad.Span;
            for (int c = 0; c < _chunks; c++) Add(_biasGradChunks.AsSpan(c * OutChannels, OutChannels), db);
        }
        return dx;
    }

    /// <summary>Stride 1 and an output as wide as the input (2 * padding = kernel - 1, e.g. 3x3 with padding 1).</summary>
    private bool SameSize => Stride == 1 && _outW == _w;

    /// <summary>True for a 1x1 kernel with stride 1 and no padding: the image itself is the column matrix.</summary>
    private bool Pointwise => KernelSize == 1 && Stride == 1 && Padding == 0;

    private void ForwardPart(int part)
    {
        if (_directForward) ForwardSample(part);
        else ForwardGroup(part);
    }

    /// <summary>Forward of sample s: y[s] [out, pixels] = W [out, in*k*k] * cols [in*k*k, pixels] (+ bias, then ReLU), already NCHW.</summary>
    private void ForwardSample(int s)
    {
        var ws = t_workspace ??= new Workspace();
        int k = FanIn, n = _outH * _outW;
        float* x = _input!.Pointer + (long)s * InChannels * _h * _w;
        float* y = _y!.Pointer + (long)s * OutChannels * n;
        float* columns = Pointwise ? x : ws.Columns(k * n);
        if (!Pointwise) Im2Col(x, columns, n);
        if (Bias != null)
        {
            // The bias goes in first and the product is added onto it: the same sum as the bias in the transposed product's epilogue.
            for (int o = 0; o < OutChannels; o++) new Span<float>(y + (long)o * n, n).Fill(Bias.Value[o]);
        }
        ws.Gemm.Multiply(false, false, OutChannels, n, k, Weight.Value.Pointer, k, columns, n, y, n, accumulate: Bias != null,
            bias: null, ReluOnOutput ? GemmEpilogue.Relu : GemmEpilogue.None);
    }

    /// <summary>Forward of samples [g * _group, ...): their columns side by side, one product, each sample's rows transposed into y.</summary>
    private void ForwardGroup(int g)
    {
        var ws = t_workspace ??= new Workspace();
        int batch = _input!.Shape[0], k = FanIn, n = _outH * _outW, s0 = g * _group, samples = Math.Min(_group, batch - s0);
        int m = samples * n, ld = _group * n;
        float* x = _input.Pointer + (long)s0 * InChannels * _h * _w;
        float* columns = Pointwise ? x : ws.Columns(k * ld);
        if (!Pointwise)
            for (int s = 0; s < samples; s++) Im2Col(x + (long)s * InChannels * _h * _w, columns + (long)s * n, ld);
        float* product = ws.Product(m * OutChannels);
        // y^T [pixels, out] = cols^T [pixels, in*k*k] * W^T [in*k*k, out], + bias[o], then ReLU.
        ws.Gemm.Multiply(true, true, m, OutChannels, k, columns, ld, Weight.Value.Pointer, k, product, OutChannels, accumulate: false,
            Bias == null ? null : Bias.Value.Pointer, ReluOnOutput ? GemmEpilogue.Relu : GemmEpilogue.None);
        float* y = _y!.Pointer + (long)s0 * OutChannels * n;
        for (int s = 0; s < samples; s++)
            GemmPack.Transpose(product + (long)s * n * OutChannels, OutChannels, n, OutChannels, y + (long)s * OutChannels * n, n);
    }

    private void BackwardChunk(int chunk)
    {
        var ws = t_workspace ??= new Workspace();
        int batch = _input!.Shape[0], k = FanIn, n = _outH * _outW;
        var (s0, s1) = LayerJobs.Part(chunk, _chunks, batch);
        // This chunk's dW^T [in*k*k, out], or dW [out, in*k*k] when direct.
        var dWChunk = _weightGradChunks.AsSpan(chunk * OutChannels * k, OutChannels * k);
        var dbChunk = _biasGradChunks.AsSpan(chunk * OutChannels, OutChannels);
        dWChunk.Clear();
        dbChunk.Clear();
        fixed (float* dW = dWChunk)
        {
            for (int s = s0; s < s1; s++)
            {
                float* x = _input.Pointer + (long)s * InChannels * _h * _w;
                float* dy = _gradOutput!.Pointer + (long)s * OutChannels * n;
                float* columns = Pointwise ? x : ws.Columns(k * n);
                if (!Pointwise) Im2Col(x, columns, n);
                if (_directWeightGrad) ws.Gemm.Multiply(false, true, OutChannels, k, n, dy, n, columns, n, dW, k, accumulate: true);
                else ws.Gemm.Multiply(false, true, k, OutChannels, n, columns, n, dy, n, dW, OutChannels, accumulate: true);
                if (Bias != null)
                    for (int o = 0; o < OutChannels; o++) dbChunk[o] += Sum(new ReadOnlySpan<float>(dy + (long)o * n, n));
                if (_dx == null) continue;
                // The column buffer is free again: the input gradient's columns go there, then fold back.
                float* dx = _dx.Pointer + (long)s * InChannels * _h * _w;
                if (Pointwise)
                {
                    ws.Gemm.Multiply(true, false, k, n, OutChannels, Weight.Value.Pointer, k, dy, n, dx, n);
                }
                else
                {
                    ws.Gemm.Multiply(true, false, k, n, OutChannels, Weight.Value.Pointer, k, dy, n, columns, n);
                    Col2Im(columns, dx);
                }
            }
        }
    }

    /// <summary>
    /// The range [lo, hi) of output columns whose input column o*stride - pad + offset lies in [0, size):
    /// outside it the kernel tap reads padding.
    /// </summary>
    private (int Lo, int Hi) ValidRange(int offset, int size, int outSize)
    {
        int shift = Padding - offset; // o*stride >= shift and o*stride <= size - 1 + shift
        int lo = shift <= 0 ? 0 : (shift + Stride - 1) / Stride;
        int top = size - 1 + shift;
        int hi = top < 0 ? 0 : Math.Min(outSize, top / Stride + 1);
        return (Math.Min(lo, hi), hi);
    }

    /// <summary>
    /// x [in, H, W] -> columns [in*k*k, oH*oW] (rows <paramref name="ld"/> floats apart): row (c, i, j)
    /// holds xpad[c, s*oh + i, s*ow + j] for every output position.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Im2Col(float* x, float* columns, long ld)
    {
        int k = KernelSize, s = Stride, p = Padding, oh = _outH, ow = _outW, h = _h, w = _w;
        float* dst = columns;
        for (int c = 0; c < InChannels; c++)
        {
            for (int i = 0; i < k; i++)
            {
                var (rowLo, rowHi) = ValidRange(i, h, oh);
                for (int j = 0; j < k; j++, dst += ld)
                {
                    var (lo, hi) = ValidRange(j, w, ow);
                    Rows.Zero(dst, rowLo * ow);
                    if (SameSize && lo < hi && rowLo < rowHi)
                    {
                        // The plane's rows are the image's rows shifted by (i - p, j - p): one contiguous
                        // stretch of the image, from output (rowLo, lo) to (rowHi - 1, hi - 1); then the
                        // entries that wrapped around a row end (outside [lo, hi)) are zeroed.
                        float* src = x + ((long)c * h + rowLo - p + i) * w - p + j;
                        float* d = dst + (long)rowLo * ow;
                        Rows.Copy(src + lo, d + lo, (rowHi - rowLo - 1) * ow + hi - lo);
                        for (int r = rowLo; r < rowHi; r++, d += ow)
                        {
                            Rows.Zero(d, lo);
                            Rows.Zero(d + hi, ow - hi);
                        }
                    }
                    else for (int r = rowLo; r < rowHi; r++)
                    {
                        float* src = x + ((long)c * h + r * s - p + i) * w - p + j;
                        float* d = dst + (long)r * ow;
                        Rows.Zero(d, lo);
                        if (s == 1) Rows.Copy(src + lo, d + lo, hi - lo);
                        else for (int q = lo; q < hi; q++) d[q] = src[q * s];
                        Rows.Zero(d + hi, ow - hi);
                    }
                    Rows.Zero(dst + (long)rowHi * ow, (oh - rowHi) * ow);
                }
            }
        }
    }

    /// <summary>
    /// The adjoint of <see cref="Im2Col"/>: dx [in, H, W] = sum of every column entry into the pixel it was
    /// read from (rows in order). Overwrites the columns' entries that read padding with 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Col2Im(float* columns, float* dx)
    {
        int k = KernelSize, s = Stride, p = Padding, oh = _outH, ow = _outW, h = _h, w = _w;
        Rows.Zero(dx, InChannels * h * w);
        float* src = columns;
        for (int c = 0; c < InChannels; c++)
        {
            for (int i = 0; i < k; i++)
            {
                var (rowLo, rowHi) = ValidRange(i, h, oh);
                for (int j = 0; j < k; j++, src += (long)oh * ow)
                {
                    var (lo, hi) = ValidRange(j, w, ow);
                    if (SameSize && lo < hi && rowLo < rowHi)
                    {
                        // As in Im2Col: one contiguous add, with the entries that wrapped around a row
                        // end zeroed first (they add 0 to a pixel of the neighbouring row).
                        float* g = src + (long)rowLo * ow;
                        for (int r = rowLo; r < rowHi; r++, g += ow)
                        {
                            Rows.Zero(g, lo);
                            Rows.Zero(g + hi, ow - hi);
                        }
                        float* d = dx + ((long)c * h + rowLo - p + i) * w - p + j;
                        g = src + (long)rowLo * ow;
                        Rows.Add(g + lo, d + lo, (rowHi - rowLo - 1) * ow + hi - lo);
                    }
                    else for (int r = rowLo; r < rowHi; r++)
                    {
                        float* d = dx + ((long)c * h + r * s - p + i) * w - p + j;
                        float* g = src + (long)r * ow;
                        if (s == 1) Rows.Add(g + lo, d + lo, hi - lo);
                        else for (int q = lo; q < hi; q++) d[q * s] += g[q];
                    }
                }
            }
        }
    }

    /// <summary>sum += values, elementwise.</summary>
    private static void Add(ReadOnlySpan<float> values, Span<float> sum)
    {
        int i = 0;
        for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            (new Vector<float>(sum.Slice(i)) + new Vector<float>(values.Slice(i))).CopyTo(sum.Slice(i));
        for (; i < values.Length; i++) sum[i] += values[i];
    }

    /// <summary>The sum of the values: vector lanes, then the lanes and the tail in order.</summary>
    private static float Sum(ReadOnlySpan<float> values)
    {
        var acc = Vector<float>.Zero;
        int i = 0;
        for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count) acc += new Vector<float>(values.Slice(i));
        float sum = 0;
        for (int l = 0; l < Vector<float>.Count; l++) sum += acc[l];
        for (; i < values.Length; i++) sum += values[i];
        return sum;
    }

    /// <summary>A thread's column and product buffers and single-threaded GEMM, shared by every Conv2d that thread runs (one at a time).</summary>
    private sealed class Workspace
    {
        private float[] _columns = [], _product = [];

        public Gemm Gemm { get; } = new(new WorkerPool(1));

        public float* Columns(int floats) => Grow(ref _columns, floats);

        /// <summary>The forward product's [pixels, out] before it is transposed into NCHW.</summary>
        public float* Product(int floats) => Grow(ref _product, floats);

        private static float* Grow(ref float[] buffer, int floats)
        {
            if (buffer.Length < floats) buffer = GC.AllocateArray<float>(Math.Max(floats, 1), pinned: true);
            return (float*)Unsafe.AsPointer(ref buffer[0]);
        }
    }
}
