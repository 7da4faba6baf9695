namespace FcnLab.Engine.Tensors;

/// <summary>
/// The slow, obviously correct matrix multiply that the fast <see cref="Gemm"/> is tested against.
/// C[m x n] = op(A)[m x k] * op(B)[k x n] (+ C when accumulate) (+ bias[j] on every row).
/// op(A) = A stored [m x k] (stride lda), or with transA, A stored [k x m] and read transposed.
/// </summary>
public static unsafe class GemmReference
{
    public static void Multiply(bool transA, bool transB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate = false, float* bias = null)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[p * lda + i] : a[i * lda + p];
                    float bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += (double)av * bv;
                }
                if (bias != null) sum += bias[j];
                if (accumulate) sum += c[i * ldc + j];
                c[i * ldc + j] = (float)sum;
            }
        }
    }
}
