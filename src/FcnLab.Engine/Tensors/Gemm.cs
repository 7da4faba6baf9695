using System.Numerics;

namespace FcnLab.Engine.Tensors;

/// <summary>
/// The one matrix multiply every layer uses.
/// C[m x n] = op(A)[m x k] * op(B)[k x n] (+ C when accumulate) (+ bias[j] on every row).
/// op(A) = A stored [m x k] row-major with row stride lda, or with transA, A stored [k x m] and read
/// transposed (likewise B). Work is split by output tiles over the pool; each output element is
/// summed in one fixed order, so results do not depend on the thread count.
/// </summary>
public sealed unsafe class Gemm
{
    private readonly WorkerPool _pool;
    private readonly RowJob _job = new();

    public Gemm(WorkerPool pool) => _pool = pool;

    public WorkerPool Pool => _pool;

    public void Multiply(bool transA, bool transB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate = false, float* bias = null)
    {
        if (m == 0 || n == 0) return;
        _job.Set(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias);
        int blocks = (m + RowJob.RowsPerBlock - 1) / RowJob.RowsPerBlock;
        _pool.Run(_job, blocks);
    }

    /// <summary>Rows of C in blocks; for each row, a vectorised axpy over B's rows (B read transposed gathers).</summary>
    private sealed class RowJob : IParallelJob
    {
        public const int RowsPerBlock = 8;
        private bool _transA, _transB, _accumulate;
        private int _m, _n, _k, _lda, _ldb, _ldc;
        private float* _a, _b, _c, _bias;

        public void Set(bool transA, bool transB, int m, int n, int k, float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, float* bias)
        {
            (_transA, _transB, _accumulate) = (transA, transB, accumulate);
            (_m, _n, _k, _lda, _ldb, _ldc) = (m, n, k, lda, ldb, ldc);
            _a = a;
            _b = b;
            _c = c;
            _bias = bias;
        }

        public void Execute(int block)
        {
            int i0 = block * RowsPerBlock, i1 = Math.Min(_m, i0 + RowsPerBlock);
            for (int i = i0; i < i1; i++)
            {
                float* ci = _c + (long)i * _ldc;
                if (!_accumulate) new Span<float>(ci, _n).Clear();
                if (_transB)
                {
                    for (int j = 0; j < _n; j++)
                    {
                        float* bj = _b + (long)j * _ldb;
                        float sum = 0;
                        for (int p = 0; p < _k; p++) sum += A(i, p) * bj[p];
                        ci[j] += sum;
                    }
                }
                else
                {
                    for (int p = 0; p < _k; p++)
                    {
                        float av = A(i, p);
                        float* bp = _b + (long)p * _ldb;
                        int j = 0;
                        var va = new Vector<float>(av);
                        for (; j <= _n - Vector<float>.Count; j += Vector<float>.Count)
                        {
                            var vc = *(Vector<float>*)(ci + j);
                            *(Vector<float>*)(ci + j) = vc + va * *(Vector<float>*)(bp + j);
                        }
                        for (; j < _n; j++) ci[j] += av * bp[j];
                    }
                }
                if (_bias != null)
                    for (int j = 0; j < _n; j++) ci[j] += _bias[j];
            }
        }

        private float A(int i, int p) => _transA ? _a[(long)p * _lda + i] : _a[(long)i * _lda + p];
    }
}
