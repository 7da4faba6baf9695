using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace FcnLab.Engine.Tensors;

/// <summary>
/// The one matrix multiply every layer uses.
/// C[m x n] = op(A)[m x k] * op(B)[k x n] (+ C when accumulate) (+ bias[j] on every row).
/// op(A) = A stored [m x k] row-major with row stride lda, or with transA, A stored [k x m] and read
/// transposed (likewise B).
/// <para>
/// GotoBLAS/BLIS structure: for each block of up to NC columns and each kc block of k, the pool
/// first packs op(A)[all rows, kc] and op(B)[kc, NC] into shared, reused buffers (a few MB:
/// they stay in cache until consumed, instead of a packed copy of a whole operand going out to
/// memory and back), then computes C tiles: each job owns a block of rows x a chunk of NR-column
/// tiles and runs the register-tiled micro-kernel over its A block and B micro-panels, both in L2
/// (12 x 32 tile: 24 FMAs per 14 loads, so L2 bandwidth suffices). Work is split by output tiles
/// only and k is always walked in the same kc blocks, so every element of C is summed in one fixed
/// order: results are bitwise identical for any thread count.
/// After warm-up a call allocates nothing. One caller at a time: an instance keeps its call's
/// state and packing buffers in fields.
/// </para>
/// </summary>
public sealed unsafe class Gemm
{
    /// <summary>
    /// Largest kc block. Each kc block costs a pass over C (read and write, out to L3 or memory for a
    /// large C), so kc is as large as the caches allow: the kernel's B micro-panel (kc x 32 floats,
    /// 64 KB) then streams from L2 rather than L1, which measured cheaper than twice the C passes
    /// (kc = 256 lost ~5% on the default network's products).
    /// </summary>
    internal const int DefaultKc = 512;

    /// <summary>Target rows per compute job's A block: 144 x 512 floats = 288 KB of L2.</summary>
    internal const int DefaultMc = 144;

    /// <summary>
    /// Most columns per packed B block (512 x 1024 floats = 2 MB, mostly L2-resident). Every column
    /// block re-packs op(A), so wider is better until B no longer fits near the core; 512 measured
    /// slower, 2048 no faster.
    /// </summary>
    internal const int DefaultNc = 1024;

    /// <summary>Target compute jobs per thread: small enough that when the OS deschedules a thread others take its share.</summary>
    internal const int DefaultJobsPerThread = 4;

    /// <summary>
    /// Products of fewer operations than this run on the calling thread alone: waking the pool's
    /// threads and waiting for them costs more than it saves (a 64 x 10 x 50 product: 8.6 us alone,
    /// 10.3 us on two threads). The results are the same either way: every element is summed in one
    /// fixed order.
    /// </summary>
    internal const long InlineFlops = 1 << 21;

    /// <summary>Steps of op(B) per packing job when B is stored [k x n].</summary>
    private const int PackRowsPerJob = 16;

    [ThreadStatic] private static float[]? t_scratch;

    private readonly WorkerPool _pool;
    private readonly GemmKernelKind _kind;
    private readonly int _mr, _nr;
    private readonly int KcMax, McMax, NcMax, JobsPerThread;
    private readonly PackJob _pack;
    private readonly ComputeJob _compute;

    // Packed panels for the current (column block, kc block); grown on demand and kept.
    private float[]? _aArray, _bArray;
    private float* _aPacked, _bPacked;
    private long _aCapacity, _bCapacity;

    // The current call, read by the jobs.
    private bool _transA, _transB, _accumulate, _relu;
    private int _m, _n, _k, _lda, _ldb, _ldc;
    private float* _a, _b, _c, _bias, _mask;
    private int _ldm;
    private int _mcRows, _icBlocks, _ncTiles;
    // The current (column block, kc block).
    private int _t0, _t1, _p0, _kc, _aJobs;

    public Gemm(WorkerPool pool) : this(pool, GemmKernelKind.Auto) { }

    internal Gemm(WorkerPool pool, GemmKernelKind kind) : this(pool, kind, DefaultKc, DefaultMc, DefaultNc, DefaultJobsPerThread) { }

    /// <summary>Other block sizes, for benchmarks that compare them side by side.</summary>
    internal Gemm(WorkerPool pool, GemmKernelKind kind, int kc, int mc, int nc, int jobsPerThread)
    {
        _pool = pool;
        (KcMax, McMax, NcMax, JobsPerThread) = (kc, mc, nc, jobsPerThread);
        if (kind == GemmKernelKind.Auto)
            kind = Avx512F.IsSupported ? GemmKernelKind.Avx512
                : Avx2.IsSupported && Fma.IsSupported ? GemmKernelKind.Avx2
                : GemmKernelKind.Portable;
        if (kind == GemmKernelKind.Avx512 && !Avx512F.IsSupported || kind == GemmKernelKind.Avx2 && !(Avx2.IsSupported && Fma.IsSupported))
            throw new PlatformNotSupportedException($"GEMM kernel {kind} is not supported on this CPU.");
        _kind = kind;
        (_mr, _nr) = kind switch
        {
            GemmKernelKind.Avx512 => (GemmKernels.Avx512Mr, GemmKernels.Avx512Nr),
            GemmKernelKind.Avx2 => (GemmKernels.Avx2Mr, GemmKernels.Avx2Nr),
            _ => (GemmKernels.PortableMr, GemmKernels.PortableNr),
        };
        _pack = new PackJob(this);
        _compute = new ComputeJob(this);
    }

    /// <summary>The micro-kernel in use, e.g. "Avx512 12x32", for benchmark reports.</summary>
    public string KernelName => $"{_kind} {_mr}x{_nr}";

    internal GemmKernelKind Kind => _kind;

    /// <summary>
    /// The share of the micro-tiles' work an m x n product uses (its edge tiles are zero-padded):
    /// a product with the same m*n*k can be oriented either way, and the fuller one is faster.
    /// </summary>
    public double TileFill(int m, int n) =>
        (double)m / ((m + _mr - 1) / _mr * _mr) * n / ((n + _nr - 1) / _nr * _nr);

    public void Multiply(bool transA, bool transB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate = false, float* bias = null) =>
        Multiply(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias, GemmEpilogue.None);

    /// <summary>
    /// As the other overload, then <paramref name="epilogue"/> on every element of C;
    /// <paramref name="mask"/> (row stride <paramref name="ldm"/>) is read by <see cref="GemmEpilogue.PositiveMask"/> only.
    /// </summary>
    public void Multiply(bool transA, bool transB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, float* bias, GemmEpilogue epilogue,
        float* mask = null, int ldm = 0)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentOutOfRangeException(nameof(m), $"Negative GEMM size {m} x {n} x {k}.");
        if (epilogue == GemmEpilogue.PositiveMask ? mask == null || ldm < n : mask != null)
            throw new ArgumentException("A mask (with row stride >= n) goes with GemmEpilogue.PositiveMask and nothing else.", nameof(mask));
        if (epilogue != GemmEpilogue.PositiveMask) mask = null;
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            EmptyProduct(m, n, c, ldc, accumulate, bias, epilogue == GemmEpilogue.Relu, mask, ldm);
            return;
        }

        // The calling thread's edge-tile scratch is made now, on a first call, rather than whenever the
        // job scheduling first hands it an edge tile (which could be any later call).
        Scratch();
        (_transA, _transB, _accumulate, _relu) = (transA, transB, accumulate, epilogue == GemmEpilogue.Relu);
        (_m, _n, _k, _lda, _ldb, _ldc) = (m, n, k, lda, ldb, ldc);
        _a = a;
        _b = b;
        _c = c;
        _bias = bias;
        _mask = mask;
        _ldm = ldm;

        // kc blocks of near-equal size; they depend on k only, never on the thread count.
        int kBlocks = (k + KcMax - 1) / KcMax;
        int kcBase = (k + kBlocks - 1) / kBlocks;

        // Column blocks of near-equal size.
        int nTiles = (n + _nr - 1) / _nr, ncMaxTiles = NcMax / _nr;
        int jcBlocks = (nTiles + ncMaxTiles - 1) / ncMaxTiles;
        int ncBlockTiles = (nTiles + jcBlocks - 1) / jcBlocks;

        // Row blocks of near-equal size, so jobs are balanced.
        int mTiles = (m + _mr - 1) / _mr;
        int mcTilesMax = McMax / _mr;
        int icBlocks = (mTiles + mcTilesMax - 1) / mcTilesMax;
        int mcTiles = (mTiles + icBlocks - 1) / icBlocks;
        _icBlocks = (mTiles + mcTiles - 1) / mcTiles;
        _mcRows = mcTiles * _mr;

        EnsureCapacity(ref _aArray, ref _aPacked, ref _aCapacity, (long)mTiles * _mr * kcBase);
        EnsureCapacity(ref _bArray, ref _bPacked, ref _bCapacity, (long)ncBlockTiles * _nr * kcBase);

        // Column chunks within a block so each thread gets several jobs (packing is shared, so
        // smaller jobs cost nothing but B micro-panel reuse).
        bool inline = 2L * m * n * k < InlineFlops;
        int threads = inline ? 1 : _pool.Threads, chunks = 1;
        if (threads > 1)
            while (chunks < ncBlockTiles && _icBlocks * chunks < JobsPerThread * threads) chunks++;
        _ncTiles = (ncBlockTiles + chunks - 1) / chunks;

        for (_t0 = 0; _t0 < nTiles; _t0 += ncBlockTiles)
        {
            _t1 = Math.Min(nTiles, _t0 + ncBlockTiles);
            int blockChunks = (_t1 - _t0 + _ncTiles - 1) / _ncTiles;
            for (_p0 = 0; _p0 < k; _p0 += kcBase)
            {
                _kc = Math.Min(kcBase, k - _p0);
                _aJobs = _icBlocks;
                int bJobs = transB ? _t1 - _t0 : (_kc + PackRowsPerJob - 1) / PackRowsPerJob;
                Run(_pack, _aJobs + bJobs, inline);
                Run(_compute, _icBlocks * blockChunks, inline);
            }
        }
    }

    private void Run(IParallelJob job, int count, bool inline)
    {
        if (!inline)
        {
            _pool.Run(job, count);
            return;
        }
        for (int i = 0; i < count; i++) job.Execute(i);
    }

    /// <summary>k = 0: the product is empty, so C = (C when accumulate) + bias, then the epilogue.</summary>
    private static void EmptyProduct(int m, int n, float* c, int ldc, bool accumulate, float* bias, bool relu, float* mask, int ldm)
    {
        for (int i = 0; i < m; i++)
        {
            float* ci = c + (long)i * ldc;
            for (int j = 0; j < n; j++)
            {
                float v = accumulate ? ci[j] : 0f;
                if (bias != null) v += bias[j];
                if (relu && v < 0f) v = 0f;
                if (mask != null && !(mask[(long)i * ldm + j] > 0f)) v = 0f;
                ci[j] = v;
            }
        }
    }

    private static void EnsureCapacity(ref float[]? array, ref float* aligned, ref long capacity, long floats)
    {
        if (floats <= capacity) return;
        // Grow geometrically so a network's varying layer sizes settle after the first step.
        long want = Math.Max(floats, capacity + capacity / 2);
        array = GC.AllocateArray<float>(checked((int)(want + 16)), pinned: true);
        aligned = Align64(array);
        capacity = want;
    }

    private static float* Align64(float[] array) =>
        (float*)(((nint)Unsafe.AsPointer(ref array[0]) + 63) & ~(nint)63);

    /// <summary>A per-thread MR x NR tile for edge tiles (largest kernel: 12 x 32).</summary>
    private static float* Scratch() =>
        Align64(t_scratch ??= GC.AllocateArray<float>(12 * 32 + 16, pinned: true));

    /// <summary>
    /// Packs the current kc block: indices below _aJobs pack one row block of op(A) each; the rest
    /// pack op(B), one micro-panel each when B is read transposed, else a few steps across all of
    /// the block's columns (reading B along its rows either way).
    /// </summary>
    private sealed class PackJob(Gemm g) : IParallelJob
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int index)
        {
            int kc = g._kc, nr = g._nr;
            if (index < g._aJobs)
            {
                int i0 = index * g._mcRows, rows = Math.Min(g._mcRows, g._m - i0);
                GemmPack.A(g._transA, g._a, g._lda, i0, rows, g._p0, kc, g._mr, g._aPacked + (long)i0 * kc);
                return;
            }
            index -= g._aJobs;
            if (g._transB)
            {
                int j0 = (g._t0 + index) * nr;
                GemmPack.BTransposed(g._b, g._ldb, j0, Math.Min(nr, g._n - j0), g._p0, kc, nr, g._bPacked + (long)index * kc * nr);
            }
            else
            {
                int q0 = index * PackRowsPerJob, q1 = Math.Min(kc, q0 + PackRowsPerJob);
                int j0 = g._t0 * nr, cols = Math.Min(g._t1 * nr, g._n) - j0;
                GemmPack.BRows(g._b, g._ldb, j0, cols, g._p0, kc, q0, q1, nr, g._bPacked);
            }
        }
    }

    /// <summary>One block of rows x one chunk of column tiles of C, for the current kc block.</summary>
    private sealed class ComputeJob(Gemm g) : IParallelJob
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int index)
        {
            int mr = g._mr, nr = g._nr, kc = g._kc, n = g._n;
            long ldc = g._ldc;
            int i0 = index % g._icBlocks * g._mcRows, rows = Math.Min(g._mcRows, g._m - i0);
            int t0 = g._t0 + index / g._icBlocks * g._ncTiles, t1 = Math.Min(g._t1, t0 + g._ncTiles);
            float* aBlock = g._aPacked + (long)i0 * kc;
            float* scratch = Scratch();
            // The first kc block adds C (when accumulating) and the bias; later ones add onto C;
            // the last applies the epilogue to the finished sums.
            bool load = g._accumulate || g._p0 > 0;
            float* bias = g._p0 == 0 ? g._bias : null;
            bool last = g._p0 + kc == g._k;
            bool relu = g._relu && last;
            float* mask = last ? g._mask : null;
            long ldm = g._ldm;
            for (int t = t0; t < t1; t++)
            {
                int j = t * nr, cols = Math.Min(nr, n - j);
                float* bp = g._bPacked + (long)(t - g._t0) * kc * nr;
                float* bj = bias == null ? null : bias + j;
                for (int ir = 0; ir < rows; ir += mr)
                {
                    float* ap = aBlock + (long)ir * kc;
                    float* cp = g._c + (i0 + ir) * ldc + j;
                    float* mp = mask == null ? null : mask + (i0 + ir) * ldm + j;
                    int valid = Math.Min(mr, rows - ir);
                    if (valid == mr && cols == nr)
                    {
                        g.Kernel(kc, ap, bp, cp, ldc, load, bj, relu, mp, ldm);
                    }
                    else
                    {
                        g.Kernel(kc, ap, bp, scratch, nr, false, null, false, null, 0);
                        StoreEdge(scratch, nr, cp, ldc, valid, cols, load, bj, relu, mp, ldm);
                    }
                }
            }
        }

        /// <summary>
        /// The in-range part of a tile computed into scratch, with the kernels' epilogue order; vectors
        /// then a scalar tail, the same arithmetic either way (small products, e.g. a convolution's few
        /// output channels, are mostly edge tiles).
        /// </summary>
        private static void StoreEdge(float* s, int lds, float* c, long ldc, int rows, int cols, bool load, float* bias, bool relu,
            float* mask, long ldm)
        {
            int width = Vector<float>.Count;
            if (mask == null) ldm = 0;
            for (int r = 0; r < rows; r++, s += lds, c += ldc, mask += ldm)
            {
                int j = 0;
                for (; j <= cols - width; j += width)
                {
                    var v = Vector.Load(s + j);
                    if (load) v += Vector.Load(c + j);
                    if (bias != null) v += Vector.Load(bias + j);
                    if (relu) v = Vector.ConditionalSelect(Vector.LessThan(v, Vector<float>.Zero), Vector<float>.Zero, v);
                    if (mask != null) v = Vector.ConditionalSelect(Vector.GreaterThan(Vector.Load(mask + j), Vector<float>.Zero), v, Vector<float>.Zero);
                    v.Store(c + j);
                }
                for (; j < cols; j++)
                {
                    float v = s[j];
                    if (load) v += c[j];
                    if (bias != null) v += bias[j];
                    if (relu && v < 0f) v = 0f;
                    if (mask != null && !(mask[j] > 0f)) v = 0f;
                    c[j] = v;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Kernel(int kc, float* a, float* b, float* c, long ldc, bool load, float* bias, bool relu, float* mask, long ldm)
    {
        switch (_kind)
        {
            case GemmKernelKind.Avx512: GemmKernels.Avx512(kc, a, b, c, ldc, load, bias, relu, mask, ldm); break;
            case GemmKernelKind.Avx2: GemmKernels.Avx2(kc, a, b, c, ldc, load, bias, relu, mask, ldm); break;
            default: GemmKernels.Portable(kc, a, b, c, ldc, load, bias, relu, mask, ldm); break;
        }
    }
}
