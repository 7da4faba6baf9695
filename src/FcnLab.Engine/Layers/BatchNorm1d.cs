using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>
/// Batch normalization over the batch for each feature (PyTorch's nn.BatchNorm1d on [batch, features]).
/// Training: normalise with the batch mean and biased variance, and update the running statistics
/// with the unbiased variance. Eval: normalise with the running statistics.
/// <para>
/// Work is split into fixed chunks of <see cref="ChunkColumns"/> features, run on the worker pool
/// when there is one. Each chunk walks the rows in order and accumulates its per-feature sums in
/// double, so every result is bitwise the same whatever the thread count (or without a pool).
/// </para>
/// </summary>
public sealed class BatchNorm1d : BatchNormBase
{
    private readonly BatchBuffer _output;
    private readonly BatchBuffer _gradInput;
    // Per-feature statistics of the last Forward (batch ones in training, running ones in eval), kept for backward.
    private readonly float[] _mean;
    private readonly float[] _invStd;
    private readonly float[] _scale;
    private readonly float[] _c1;
    private readonly float[] _c2;
    private readonly double[] _sum;
    private readonly double[] _sum2;
    private readonly WorkerPool? _pool;
    private readonly int _chunks;
    private readonly ForwardJob _forwardJob;
    private readonly BackwardJob _backwardJob;
    private Tensor? _input;
    private bool _lastTraining;
    // State of the Forward/Backward in progress, read by the chunk jobs.
    private Tensor? _y;
    private Tensor? _gradOutput;
    private Tensor? _dx;

    /// <summary>
    /// Built with a ReLU after it (one built <see cref="ReLU.AppliedByPrevious"/>): Forward stores
    /// max(y, 0) (Backward reads the input and the statistics, never y).
    /// </summary>
    public bool ReluOnOutput { get; init; }

    /// <summary>Features per parallel chunk: a multiple of every vector width, and fixed, so the results do not depend on the thread count.</summary>
    public const int ChunkColumns = 256;

    /// <param name="pool">Worker pool to spread the features over (null: run on the calling thread; same results).</param>
    public BatchNorm1d(int features, double momentum = 0.1, double eps = 1e-5, WorkerPool? pool = null)
        : base("BatchNorm1d", "feature", features, momentum, eps)
    {
        _output = new BatchBuffer(features);
        _gradInput = new BatchBuffer(features);
        _mean = new float[features];
        _invStd = new float[features];
        _scale = new float[features];
        _c1 = new float[features];
        _c2 = new float[features];
        _sum = new double[features];
        _sum2 = new double[features];
        _pool = pool;
        _chunks = (features + ChunkColumns - 1) / ChunkColumns;
        _forwardJob = new ForwardJob(this);
        _backwardJob = new BackwardJob(this);
    }

    public override int[] OutputShape(int[] inputShape)
    {
        if (inputShape.Length != 1 || inputShape[0] != Features)
            throw new FcnLabException($"{Describe()} expects {Features} features per sample but gets shape [{string.Join(", ", inputShape)}]; make the feature count match the previous layer's output.");
        return [Features];
    }

    // x [B, C] -> y [B, C];  y = (x - mean) * invstd * gamma + beta  (then max(y, 0) with ReluOnOutput)
    public override Tensor Forward(Tensor input, bool training)
    {
        int batch = input.Rows, c = Features;
        if (input.Rank != 2 || input.Shape[1] != c)
            throw new FcnLabException($"{Describe()} got an input of shape [{string.Join(", ", input.Shape)}]; it needs [batch, {c}].");
        if (training && batch < 2)
            throw new FcnLabException($"{Describe()} cannot train on a batch of {batch}: batch statistics need more than 1 value per feature (PyTorch errors too). Use a batch size of at least 2, or drop the last incomplete batch.");

        var y = _output.For(batch);
        _input = input;
        _lastTraining = training;
        _y = y;
        RunChunks(_forwardJob);
        _y = null;
        return y;
    }

    // training: dx = (gamma*invstd/N) * (N*dy - sum(dy) - xhat*sum(dy*xhat));  eval: dx = dy*gamma*invstd;
    // dgamma += sum(dy*xhat);  dbeta += sum(dy)   (sums over the batch)
    public override Tensor? Backward(Tensor gradOutput)
    {
        var input = _input ?? throw new InvalidOperationException($"{Describe()}: Backward called before Forward.");
        int batch = input.Rows, c = Features;
        if (!gradOutput.Shape.AsSpan().SequenceEqual(input.Shape))
            throw new FcnLabException($"{Describe()} got an output gradient of shape [{string.Join(", ", gradOutput.Shape)}]; it needs [{batch}, {c}] to match the last Forward.");

        var dx = NeedsInputGradient ? _gradInput.For(batch) : null;
        _gradOutput = gradOutput;
        _dx = dx;
        RunChunks(_backwardJob);
        _gradOutput = null;
        _dx = null;
        return dx;
    }

    private void RunChunks(IParallelJob job)
    {
        if (_pool == null)
        {
            for (int i = 0; i < _chunks; i++) job.Execute(i);
        }
        else
        {
            _pool.Run(job, _chunks);
        }
    }

    private sealed class ForwardJob(BatchNorm1d layer) : IParallelJob
    {
        public void Execute(int index) => layer.ForwardChunk(index);
    }

    private sealed class BackwardJob(BatchNorm1d layer) : IParallelJob
    {
        public void Execute(int index) => layer.BackwardChunk(index);
    }

    /// <summary>Forward for features [index * ChunkColumns, +ChunkColumns): statistics, then y, rows in order.</summary>
    private void ForwardChunk(int index)
    {
        int c = Features, j0 = index * ChunkColumns, w = Math.Min(ChunkColumns, c - j0);
        var input = _input!;
        int batch = input.Rows;
        ReadOnlySpan<float> x = input.Span;
        var mean = _mean.AsSpan(j0, w);
        var invStd = _invStd.AsSpan(j0, w);
        var runningMean = RunningMean.Span.Slice(j0, w);

        if (_lastTraining)
        {
            // Two passes in double, rows in order: exact enough and reproducible.
            var sum = _sum.AsSpan(j0, w);
            var sq = _sum2.AsSpan(j0, w);
            sum.Clear();
            sq.Clear();
            for (int i = 0; i < batch; i++)
            {
                if (i + PrefetchRows < batch) Prefetch(x.Slice((i + PrefetchRows) * c + j0, w));
                AccumulateSum(x.Slice(i * c + j0, w), sum);
            }
            for (int j = 0; j < w; j++) sum[j] /= batch;
            for (int i = 0; i < batch; i++) AccumulateSquaredDeviations(x.Slice(i * c + j0, w), sum, sq);
            for (int j = 0; j < w; j++)
            {
                double m = sum[j], variance = sq[j] / batch;
                mean[j] = (float)m;
                invStd[j] = (float)(1.0 / Math.Sqrt(variance + Eps));
                UpdateRunningStats(j0 + j, m, variance, batch);
            }
        }
        else
        {
            for (int j = 0; j < w; j++)
            {
                mean[j] = runningMean[j];
                invStd[j] = (float)(1.0 / Math.Sqrt(RunningVar[j0 + j] + Eps));
            }
        }

        Span<float> y = _y!.Span;
        ReadOnlySpan<float> gamma = Weight.Value.Span.Slice(j0, w), beta = Bias.Value.Span.Slice(j0, w);
        for (int i = 0; i < batch; i++) NormalizeAffine(x.Slice(i * c + j0, w), mean, invStd, gamma, beta, y.Slice(i * c + j0, w), ReluOnOutput);
    }

    /// <summary>Backward for features [index * ChunkColumns, +ChunkColumns): sums of dy and dy*xhat, then dx, rows in order.</summary>
    private void BackwardChunk(int index)
    {
        int c = Features, j0 = index * ChunkColumns, w = Math.Min(ChunkColumns, c - j0);
        var input = _input!;
        int batch = input.Rows;
        ReadOnlySpan<float> x = input.Span, dy = _gradOutput!.Span;
        ReadOnlySpan<float> mean = _mean.AsSpan(j0, w), invStd = _invStd.AsSpan(j0, w);

        var sumDy = _sum.AsSpan(j0, w);
        var sumDyXhat = _sum2.AsSpan(j0, w);
        sumDy.Clear();
        sumDyXhat.Clear();
        for (int i = 0; i < batch; i++)
        {
            if (i + PrefetchRows < batch)
            {
                Prefetch(x.Slice((i + PrefetchRows) * c + j0, w));
                Prefetch(dy.Slice((i + PrefetchRows) * c + j0, w));
            }
            AccumulateGradSums(x.Slice(i * c + j0, w), dy.Slice(i * c + j0, w), mean, invStd, sumDy, sumDyXhat);
        }
        var dGamma = Weight.Grad.Span.Slice(j0, w);
        var dBeta = Bias.Grad.Span.Slice(j0, w);
        for (int j = 0; j < w; j++)
        {
            dGamma[j] += (float)sumDyXhat[j];
            dBeta[j] += (float)sumDy[j];
        }
        if (_dx == null) return;

        ReadOnlySpan<float> gamma = Weight.Value.Span.Slice(j0, w);
        var scale = _scale.AsSpan(j0, w);
        var c1 = _c1.AsSpan(j0, w);
        var c2 = _c2.AsSpan(j0, w);
        for (int j = 0; j < w; j++)
        {
            scale[j] = gamma[j] * invStd[j];
            c1[j] = _lastTraining ? (float)(sumDy[j] / batch) : 0f;
            c2[j] = _lastTraining ? (float)(sumDyXhat[j] / batch) : 0f;
        }
        Span<float> dx = _dx.Span;
        for (int i = 0; i < batch; i++)
            InputGradientRow(x.Slice(i * c + j0, w), dy.Slice(i * c + j0, w), mean, invStd, scale, c1, c2, dx.Slice(i * c + j0, w));
    }

    // Rows ahead to prefetch on a chunk's first pass: a chunk reads a short piece of each row, a stride
    // the hardware prefetchers follow poorly; later passes find the chunk in the cache.
    private const int PrefetchRows = 4;

    private static unsafe void Prefetch(ReadOnlySpan<float> row)
    {
        if (!Sse.IsSupported) return;
        fixed (float* p = row)
        {
            for (int k = 0; k < row.Length; k += 16) Sse.Prefetch0(p + k);
            Sse.Prefetch0(p + row.Length - 1);
        }
    }

    // The row kernels below take equally long spans. Vector lanes and the scalar tail do the same
    // arithmetic (no fused multiply-add), and each feature always lands in the same one of them.

    /// <summary>sum += x (in double).</summary>
    private static void AccumulateSum(ReadOnlySpan<float> x, Span<double> sum)
    {
        int n = x.Length, j = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref double sr = ref MemoryMarshal.GetReference(sum);
        for (; j <= n - Vector<float>.Count; j += Vector<float>.Count)
        {
            Vector.Widen(Vector.LoadUnsafe(ref xr, (nuint)j), out var lo, out var hi);
            nuint k = (nuint)j, k2 = (nuint)(j + Vector<double>.Count);
            (Vector.LoadUnsafe(ref sr, k) + lo).StoreUnsafe(ref sr, k);
            (Vector.LoadUnsafe(ref sr, k2) + hi).StoreUnsafe(ref sr, k2);
        }
        for (; j < n; j++) sum[j] += x[j];
    }

    /// <summary>sq += (x - mean)^2 (in double).</summary>
    private static void AccumulateSquaredDeviations(ReadOnlySpan<float> x, ReadOnlySpan<double> mean, Span<double> sq)
    {
        int n = x.Length, j = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref double mr = ref MemoryMarshal.GetReference(mean);
        ref double qr = ref MemoryMarshal.GetReference(sq);
        for (; j <= n - Vector<float>.Count; j += Vector<float>.Count)
        {
            Vector.Widen(Vector.LoadUnsafe(ref xr, (nuint)j), out var lo, out var hi);
            nuint k = (nuint)j, k2 = (nuint)(j + Vector<double>.Count);
            var d0 = lo - Vector.LoadUnsafe(ref mr, k);
            var d1 = hi - Vector.LoadUnsafe(ref mr, k2);
            (Vector.LoadUnsafe(ref qr, k) + d0 * d0).StoreUnsafe(ref qr, k);
            (Vector.LoadUnsafe(ref qr, k2) + d1 * d1).StoreUnsafe(ref qr, k2);
        }
        for (; j < n; j++)
        {
            double d = x[j] - mean[j];
            sq[j] += d * d;
        }
    }

    /// <summary>y = ((x - mean) * invstd) * gamma + beta (in float; xhat as in the backward kernels).</summary>
    private static void NormalizeAffine(ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y, bool relu)
    {
        int n = x.Length, j = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float mr = ref MemoryMarshal.GetReference(mean);
        ref float ir = ref MemoryMarshal.GetReference(invStd);
        ref float gr = ref MemoryMarshal.GetReference(gamma);
        ref float br = ref MemoryMarshal.GetReference(beta);
        ref float yr = ref MemoryMarshal.GetReference(y);
        for (; j <= n - Vector<float>.Count; j += Vector<float>.Count)
        {
            nuint k = (nuint)j;
            var xhat = (Vector.LoadUnsafe(ref xr, k) - Vector.LoadUnsafe(ref mr, k)) * Vector.LoadUnsafe(ref ir, k);
            var v = xhat * Vector.LoadUnsafe(ref gr, k) + Vector.LoadUnsafe(ref br, k);
            if (relu) v = Vector.ConditionalSelect(Vector.LessThan(v, Vector<float>.Zero), Vector<float>.Zero, v);
            v.StoreUnsafe(ref yr, k);
        }
        for (; j < n; j++)
        {
            float xhat = (x[j] - mean[j]) * invStd[j];
            float v = xhat * gamma[j] + beta[j];
            y[j] = relu && v < 0f ? 0f : v;
        }
    }

    /// <summary>sumDy += dy;  sumDyXhat += dy * xhat  (in double, xhat in float as in forward).</summary>
    private static void AccumulateGradSums(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> mean,
        ReadOnlySpan<float> invStd, Span<double> sumDy, Span<double> sumDyXhat)
    {
        int n = x.Length, j = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float dr = ref MemoryMarshal.GetReference(dy);
        ref float mr = ref MemoryMarshal.GetReference(mean);
        ref float ir = ref MemoryMarshal.GetReference(invStd);
        ref double sr = ref MemoryMarshal.GetReference(sumDy);
        ref double pr = ref MemoryMarshal.GetReference(sumDyXhat);
        for (; j <= n - Vector<float>.Count; j += Vector<float>.Count)
        {
            nuint k = (nuint)j, k2 = (nuint)(j + Vector<double>.Count);
            var xhat = (Vector.LoadUnsafe(ref xr, k) - Vector.LoadUnsafe(ref mr, k)) * Vector.LoadUnsafe(ref ir, k);
            Vector.Widen(Vector.LoadUnsafe(ref dr, k), out var d0, out var d1);
            Vector.Widen(xhat, out var h0, out var h1);
            (Vector.LoadUnsafe(ref sr, k) + d0).StoreUnsafe(ref sr, k);
            (Vector.LoadUnsafe(ref sr, k2) + d1).StoreUnsafe(ref sr, k2);
            (Vector.LoadUnsafe(ref pr, k) + d0 * h0).StoreUnsafe(ref pr, k);
            (Vector.LoadUnsafe(ref pr, k2) + d1 * h1).StoreUnsafe(ref pr, k2);
        }
        for (; j < n; j++)
        {
            float xhat = (x[j] - mean[j]) * invStd[j];
            sumDy[j] += dy[j];
            sumDyXhat[j] += (double)dy[j] * xhat;
        }
    }

    /// <summary>dx = scale * (dy - c1 - xhat * c2).</summary>
    private static void InputGradientRow(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd,
        ReadOnlySpan<float> scale, ReadOnlySpan<float> c1, ReadOnlySpan<float> c2, Span<float> dx)
    {
        int n = x.Length, j = 0;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float dr = ref MemoryMarshal.GetReference(dy);
        ref float mr = ref MemoryMarshal.GetReference(mean);
        ref float ir = ref MemoryMarshal.GetReference(invStd);
        ref float sr = ref MemoryMarshal.GetReference(scale);
        ref float ar = ref MemoryMarshal.GetReference(c1);
        ref float br = ref MemoryMarshal.GetReference(c2);
        ref float dxr = ref MemoryMarshal.GetReference(dx);
        for (; j <= n - Vector<float>.Count; j += Vector<float>.Count)
        {
            nuint k = (nuint)j;
            var xhat = (Vector.LoadUnsafe(ref xr, k) - Vector.LoadUnsafe(ref mr, k)) * Vector.LoadUnsafe(ref ir, k);
            var inner = Vector.LoadUnsafe(ref dr, k) - Vector.LoadUnsafe(ref ar, k) - xhat * Vector.LoadUnsafe(ref br, k);
            (Vector.LoadUnsafe(ref sr, k) * inner).StoreUnsafe(ref dxr, k);
        }
        for (; j < n; j++)
        {
            float xhat = (x[j] - mean[j]) * invStd[j];
            dx[j] = scale[j] * (dy[j] - c1[j] - xhat * c2[j]);
        }
    }
}
