using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace FcnLab.Engine.Tensors;

/// <summary>
/// The one matrix multiply every layer uses.
/// C[m x n] = op(A)[m x k] * op(B)[k x n] (+ C when accumulate) (+ bias[j] on every row).
/// op(A) = A stored [m x k] row-major with row stride lda, or with transA, A stored [k x m] and read
/// transposed (likewise B).
/// <para>
/// GotoBLAS/BLIS structure: op(B) is packed once per call into kc x NR micro-panels (shared, in
/// parallel); each job then owns a block of MC rows x a chunk of NR-column tiles, and for every kc
/// block packs its rows of op(A) into a per-thread buffer (kept in L2) and runs the register-tiled
/// micro-kernel with the B micro-panel in L1. Work is split by output tiles only and k is always
/// walked in the same kc blocks, so every element of C is summed in one fixed order: results are
/// bitwise identical for any thread count. After warm-up a call allocates nothing.
/// </para>
/// </summary>
public sealed unsafe class Gemm
{
    /// <summary>Largest kc block: a 12 x 32 kernel's B micro-panel (kc x 32 floats) then fits a 48 KB L1 with room for A.</summary>
    private const int KcMax = 256;

    /// <summary>Target rows per A block: 144 x 256 floats = 144 KB, comfortably inside a 1-2 MB L2.</summary>
    private const int McMax = 144;

    /// <summary>Per-thread buffer: one packed A block plus a scratch tile for edge tiles (max MR x NR = 12 x 32).</summary>
    private const int ThreadBufferFloats = McMax * KcMax + 12 * 32;

    /// <summary>Target jobs per thread when splitting columns into chunks (a balance/re-packing trade-off).</summary>
    private const int JobsPerThread = 4;

    [ThreadStatic] private static float[]? t_buffer;

    private readonly WorkerPool _pool;
    private readonly GemmKernelKind _kind;
    private readonly int _mr, _nr;
    private readonly PackBJob _packB;
    private readonly ComputeJob _compute;

    // Packed op(B) for the whole call: block b (k offset p0, size kc) holds nTiles micro-panels of kc x NR
    // starting at p0 * nPad. Grown on demand and kept.
    private float[]? _bArray;
    private float* _bPacked;
    private long _bCapacity;

    // The current call, read by the jobs.
    private bool _transA, _transB, _accumulate;
    private int _m, _n, _k, _lda, _ldb, _ldc;
    private float* _a, _b, _c, _bias;
    private int _kcBase, _kBlocks, _nTiles, _nPad, _mcRows, _icBlocks, _ncTiles;

    public Gemm(WorkerPool pool) : this(pool, GemmKernelKind.Auto) { }

    internal Gemm(WorkerPool pool, GemmKernelKind kind)
    {
        _pool = pool;
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
        _packB = new PackBJob(this);
        _compute = new ComputeJob(this);
    }

    public WorkerPool Pool => _pool;

    internal GemmKernelKind Kind => _kind;

    public void Multiply(bool transA, bool transB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate = false, float* bias = null)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentOutOfRangeException(nameof(m), $"Negative GEMM size {m} x {n} x {k}.");
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            EmptyProduct(m, n, c, ldc, accumulate, bias);
            return;
        }

        (_transA, _transB, _accumulate) = (transA, transB, accumulate);
        (_m, _n, _k, _lda, _ldb, _ldc) = (m, n, k, lda, ldb, ldc);
        _a = a;
        _b = b;
        _c = c;
        _bias = bias;

        // kc blocks of near-equal size; they depend on k only, never on the thread count.
        _kBlocks = (k + KcMax - 1) / KcMax;
        _kcBase = (k + _kBlocks - 1) / _kBlocks;
        _kBlocks = (k + _kcBase - 1) / _kcBase;

        _nTiles = (n + _nr - 1) / _nr;
        _nPad = _nTiles * _nr;
        EnsureBCapacity((long)k * _nPad);

        // Row blocks of near-equal size, so jobs are balanced.
        int mTiles = (m + _mr - 1) / _mr;
        int mcTilesMax = McMax / _mr;
        int icBlocks = (mTiles + mcTilesMax - 1) / mcTilesMax;
        int mcTiles = (mTiles + icBlocks - 1) / icBlocks;
        _icBlocks = (mTiles + mcTiles - 1) / mcTiles;
        _mcRows = mcTiles * _mr;

        // Column chunks so each thread gets several jobs: on a shared machine a thread can be
        // descheduled, and small jobs let the others take its share. Each chunk re-packs its A block.
        int threads = _pool.Threads, chunks = 1;
        if (threads > 1)
            while (chunks < _nTiles && _icBlocks * chunks < JobsPerThread * threads) chunks++;
        _ncTiles = (_nTiles + chunks - 1) / chunks;
        chunks = (_nTiles + _ncTiles - 1) / _ncTiles;

        _pool.Run(_packB, _transB ? _nTiles : _kBlocks * _packB.ChunksPerBlock(_kcBase));
        _pool.Run(_compute, _icBlocks * chunks);
    }

    /// <summary>k = 0: the product is empty, so C = (C when accumulate) + bias.</summary>
    private static void EmptyProduct(int m, int n, float* c, int ldc, bool accumulate, float* bias)
    {
        for (int i = 0; i < m; i++)
        {
            float* ci = c + (long)i * ldc;
            for (int j = 0; j < n; j++)
            {
                float v = accumulate ? ci[j] : 0f;
                if (bias != null) v += bias[j];
                ci[j] = v;
            }
        }
    }

    private void EnsureBCapacity(long floats)
    {
        if (floats <= _bCapacity) return;
        // Grow geometrically so a network's varying layer sizes settle after the first step.
        long want = Math.Max(floats, _bCapacity + _bCapacity / 2);
        _bArray = GC.AllocateArray<float>(checked((int)(want + 16)), pinned: true);
        _bPacked = Align64(_bArray);
        _bCapacity = want;
    }

    private static float* Align64(float[] array) =>
        (float*)(((nint)Unsafe.AsPointer(ref array[0]) + 63) & ~(nint)63);

    private static float* ThreadBuffer() =>
        Align64(t_buffer ??= GC.AllocateArray<float>(ThreadBufferFloats + 16, pinned: true));

    /// <summary>
    /// Packs op(B): read transposed, one NR-column tile (all of k) per index; stored [k x n], one
    /// chunk of rows of one kc block (all columns) per index. Either way the source is read along
    /// its rows.
    /// </summary>
    private sealed class PackBJob(Gemm g) : IParallelJob
    {
        private const int RowsPerChunk = 64;

        public int ChunksPerBlock(int kcBase) => (kcBase + RowsPerChunk - 1) / RowsPerChunk;

        public void Execute(int index)
        {
            if (g._transB)
            {
                GemmPack.BTransposedTile(g._b, g._ldb, g._n, g._k, g._kcBase, index, g._nr, g._nPad, g._bPacked);
                return;
            }
            int chunks = ChunksPerBlock(g._kcBase);
            int p0 = index / chunks * g._kcBase, kc = Math.Min(g._kcBase, g._k - p0);
            int q0 = index % chunks * RowsPerChunk, q1 = Math.Min(kc, q0 + RowsPerChunk);
            if (q0 < q1) GemmPack.BRows(g._b, g._ldb, g._n, p0, kc, q0, q1, g._nr, g._bPacked + (long)p0 * g._nPad);
        }
    }

    /// <summary>One block of rows x one chunk of column tiles of C, over all of k in order.</summary>
    private sealed class ComputeJob(Gemm g) : IParallelJob
    {
        public void Execute(int index)
        {
            int mr = g._mr, nr = g._nr, k = g._k, n = g._n;
            long ldc = g._ldc;
            int i0 = index % g._icBlocks * g._mcRows, rows = Math.Min(g._mcRows, g._m - i0);
            int t0 = index / g._icBlocks * g._ncTiles, t1 = Math.Min(g._nTiles, t0 + g._ncTiles);
            float* aBlock = ThreadBuffer();
            float* scratch = aBlock + McMax * KcMax;
            for (int p0 = 0; p0 < k; p0 += g._kcBase)
            {
                int kc = Math.Min(g._kcBase, k - p0);
                GemmPack.A(g._transA, g._a, g._lda, i0, rows, p0, kc, mr, aBlock);
                // The first kc block adds C (when accumulating) and the bias; later ones add onto C.
                bool load = g._accumulate || p0 > 0;
                float* bias = p0 == 0 ? g._bias : null;
                float* bBlock = g._bPacked + (long)p0 * g._nPad;
                for (int t = t0; t < t1; t++)
                {
                    int j = t * nr, cols = Math.Min(nr, n - j);
                    float* bp = bBlock + (long)t * kc * nr;
                    float* bj = bias == null ? null : bias + j;
                    for (int ir = 0; ir < rows; ir += mr)
                    {
                        float* ap = aBlock + (long)ir * kc;
                        float* cp = g._c + (i0 + ir) * ldc + j;
                        int valid = Math.Min(mr, rows - ir);
                        if (valid == mr && cols == nr)
                        {
                            g.Kernel(kc, ap, bp, cp, ldc, load, bj);
                        }
                        else
                        {
                            g.Kernel(kc, ap, bp, scratch, nr, false, null);
                            StoreEdge(scratch, nr, cp, ldc, valid, cols, load, bj);
                        }
                    }
                }
            }
        }

        /// <summary>The in-range part of a tile computed into scratch, with the kernels' epilogue order.</summary>
        private static void StoreEdge(float* s, int lds, float* c, long ldc, int rows, int cols, bool load, float* bias)
        {
            for (int r = 0; r < rows; r++, s += lds, c += ldc)
            {
                for (int j = 0; j < cols; j++)
                {
                    float v = s[j];
                    if (load) v += c[j];
                    if (bias != null) v += bias[j];
                    c[j] = v;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Kernel(int kc, float* a, float* b, float* c, long ldc, bool load, float* bias)
    {
        switch (_kind)
        {
            case GemmKernelKind.Avx512: GemmKernels.Avx512(kc, a, b, c, ldc, load, bias); break;
            case GemmKernelKind.Avx2: GemmKernels.Avx2(kc, a, b, c, ldc, load, bias); break;
            default: GemmKernels.Portable(kc, a, b, c, ldc, load, bias); break;
        }
    }
}
