using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Tests.Tensors;

public unsafe class GemmTests
{
    /// <summary>A problem with leading dimensions wider than the logical widths and a sentinel in C's padding.</summary>
    private sealed class Problem
    {
        public readonly bool TransA, TransB;
        public readonly int M, N, K, Lda, Ldb, Ldc;
        public readonly float[] A, B, C, Bias, Mask;
        public readonly int Ldm;

        public const float Sentinel = 12345.5f;

        public Problem(bool transA, bool transB, int m, int n, int k, int seed)
        {
            (TransA, TransB, M, N, K) = (transA, transB, m, n, k);
            var rng = new System.Random(seed);
            int aRows = transA ? k : m, aCols = transA ? m : k;
            int bRows = transB ? n : k, bCols = transB ? k : n;
            Lda = aCols + 3;
            Ldb = bCols + 5;
            Ldc = n + 2;
            A = Fill(rng, aRows * Lda);
            B = Fill(rng, bRows * Ldb);
            C = Fill(rng, m * Ldc);
            for (int i = 0; i < m; i++)
                for (int j = n; j < Ldc; j++) C[i * Ldc + j] = Sentinel;
            Bias = Fill(rng, n);
            // A ReLU output: about half zeros, the rest positive (and a few -0 and negatives, which also mask).
            Ldm = n + 4;
            Mask = Fill(rng, m * Ldm);
            for (int i = 0; i < Mask.Length; i++)
                Mask[i] = i % 17 == 0 ? -0f : i % 13 == 0 ? -1f : Math.Max(0f, Mask[i]);
        }

        private static float[] Fill(System.Random rng, int length)
        {
            var x = new float[length];
            for (int i = 0; i < length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
            return x;
        }

        public float[] Run(Gemm? gemm, bool accumulate, bool bias, GemmEpilogue epilogue = GemmEpilogue.None)
        {
            var c = (float[])C.Clone();
            fixed (float* a = A, b = B, pc = c, pb = Bias)
            {
                float* biasPtr = bias ? pb : null;
                if (gemm == null)
                {
                    GemmReference.Multiply(TransA, TransB, M, N, K, a, Lda, b, Ldb, pc, Ldc, accumulate, biasPtr);
                    if (epilogue == GemmEpilogue.Relu)
                        for (int i = 0; i < M; i++)
                            for (int j = 0; j < N; j++) c[i * Ldc + j] = Math.Max(0f, c[i * Ldc + j]);
                    if (epilogue == GemmEpilogue.PositiveMask)
                        for (int i = 0; i < M; i++)
                            for (int j = 0; j < N; j++)
                                if (!(Mask[i * Ldm + j] > 0f)) c[i * Ldc + j] = 0f;
                }
                else if (epilogue == GemmEpilogue.None)
                {
                    gemm.Multiply(TransA, TransB, M, N, K, a, Lda, b, Ldb, pc, Ldc, accumulate, biasPtr);
                }
                else if (epilogue == GemmEpilogue.PositiveMask)
                {
                    fixed (float* mask = Mask)
                        gemm.Multiply(TransA, TransB, M, N, K, a, Lda, b, Ldb, pc, Ldc, accumulate, biasPtr, epilogue, mask, Ldm);
                }
                else
                {
                    gemm.Multiply(TransA, TransB, M, N, K, a, Lda, b, Ldb, pc, Ldc, accumulate, biasPtr, epilogue);
                }
            }
            return c;
        }

        public void AssertMatches(float[] expected, float[] actual, string what)
        {
            float max = 0;
            foreach (float v in expected) max = Math.Max(max, Math.Abs(v));
            float tol = 1e-4f * max + 1e-6f;
            for (int i = 0; i < M; i++)
            {
                for (int j = 0; j < Ldc; j++)
                {
                    int at = i * Ldc + j;
                    if (j >= N)
                    {
                        if (actual[at] != Sentinel) Assert.Fail($"{what}: padding C[{i},{j}] was overwritten with {actual[at]}.");
                    }
                    else if (!(Math.Abs(expected[at] - actual[at]) <= tol))
                    {
                        Assert.Fail($"{what}: C[{i},{j}] = {actual[at]}, expected {expected[at]} (tolerance {tol}).");
                    }
                }
            }
        }
    }

    private static readonly (int M, int N, int K)[] AwkwardShapes =
    [
        (1, 1, 1), (1, 7, 33), (7, 1, 100), (7, 33, 1), (33, 100, 513), (100, 513, 7), (513, 7, 33),
        (65, 65, 65), (1, 513, 100), (513, 1, 33), (100, 100, 300), (13, 47, 257), (36, 64, 513), (5, 1030, 9),
    ];

    public static TheoryData<string, bool, bool> KernelsAndTransposes()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (var kind in AvailableKinds())
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    data.Add(kind.ToString(), ta, tb);
        return data;
    }

    private static IEnumerable<GemmKernelKind> AvailableKinds()
    {
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported) yield return GemmKernelKind.Avx512;
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported) yield return GemmKernelKind.Avx2;
        yield return GemmKernelKind.Portable;
    }

    [Theory]
    [MemberData(nameof(KernelsAndTransposes))]
    public void MatchesReference_AwkwardShapes(string kernel, bool transA, bool transB)
    {
        using var pool = new WorkerPool(2);
        var gemm = new Gemm(pool, Enum.Parse<GemmKernelKind>(kernel));
        int seed = 1;
        foreach (var (m, n, k) in AwkwardShapes)
        {
            var p = new Problem(transA, transB, m, n, k, seed++);
            foreach (bool accumulate in new[] { false, true })
                foreach (bool bias in new[] { false, true })
                    p.AssertMatches(p.Run(null, accumulate, bias), p.Run(gemm, accumulate, bias),
                        $"{kernel} transA={transA} transB={transB} {m}x{n}x{k} accumulate={accumulate} bias={bias}");
        }
    }

    [Theory]
    [MemberData(nameof(KernelsAndTransposes))]
    public void ReluEpilogue_MatchesReferenceThenClamp(string kernel, bool transA, bool transB)
    {
        using var pool = new WorkerPool(2);
        var gemm = new Gemm(pool, Enum.Parse<GemmKernelKind>(kernel));
        int seed = 50;
        // k = 1111: three kc blocks, so the clamp must wait for the last one.
        foreach (var (m, n, k) in new[] { (1, 1, 1), (33, 100, 513), (13, 47, 1111), (100, 65, 7), (5, 9, 0) })
        {
            var p = new Problem(transA, transB, m, n, k, seed++);
            foreach (bool accumulate in new[] { false, true })
                p.AssertMatches(p.Run(null, accumulate, true, GemmEpilogue.Relu), p.Run(gemm, accumulate, true, GemmEpilogue.Relu),
                    $"{kernel} transA={transA} transB={transB} {m}x{n}x{k} accumulate={accumulate} relu");
        }
    }

    [Theory]
    [MemberData(nameof(KernelsAndTransposes))]
    public void PositiveMaskEpilogue_MatchesReferenceThenMask(string kernel, bool transA, bool transB)
    {
        using var pool = new WorkerPool(2);
        var gemm = new Gemm(pool, Enum.Parse<GemmKernelKind>(kernel));
        int seed = 70;
        // k = 1111: three kc blocks, so the mask must wait for the last one.
        foreach (var (m, n, k) in new[] { (1, 1, 1), (33, 100, 513), (13, 47, 1111), (100, 65, 7), (5, 9, 0), (512, 80, 40) })
        {
            var p = new Problem(transA, transB, m, n, k, seed++);
            foreach (bool accumulate in new[] { false, true })
                foreach (bool bias in new[] { false, true })
                    p.AssertMatches(p.Run(null, accumulate, bias, GemmEpilogue.PositiveMask), p.Run(gemm, accumulate, bias, GemmEpilogue.PositiveMask),
                        $"{kernel} transA={transA} transB={transB} {m}x{n}x{k} accumulate={accumulate} bias={bias} mask");
        }
    }

    [Fact]
    public void Mask_OnlyWithPositiveMaskEpilogue()
    {
        using var pool = new WorkerPool(1);
        var gemm = new Gemm(pool);
        var x = new float[16];
        fixed (float* p = x)
        {
            float* q = p;
            Assert.Throws<ArgumentException>(() => gemm.Multiply(false, false, 2, 2, 2, q, 2, q, 2, q + 8, 2, false, null, GemmEpilogue.PositiveMask));
            Assert.Throws<ArgumentException>(() => gemm.Multiply(false, false, 2, 2, 2, q, 2, q, 2, q + 8, 2, false, null, GemmEpilogue.PositiveMask, q, 1));
            Assert.Throws<ArgumentException>(() => gemm.Multiply(false, false, 2, 2, 2, q, 2, q, 2, q + 8, 2, false, null, GemmEpilogue.Relu, q, 2));
        }
    }

    /// <summary>The three products a Linear layer of the default network issues, at batch 512.</summary>
    [Theory]
    [InlineData(false, false, 512, 1200, 784, false, true)] // forward Y = X W + bias
    [InlineData(true, false, 784, 1200, 512, true, false)] // weight gradient dW += X^T dY
    [InlineData(false, true, 512, 784, 1200, false, false)] // input gradient dX = dY W^T
    public void MatchesReference_LayerProducts(bool transA, bool transB, int m, int n, int k, bool accumulate, bool bias)
    {
        using var pool = new WorkerPool(2);
        var gemm = new Gemm(pool);
        var p = new Problem(transA, transB, m, n, k, 7);
        p.AssertMatches(p.Run(null, accumulate, bias), p.Run(gemm, accumulate, bias), $"{m}x{n}x{k}");
    }

    [Fact]
    public void K0_GivesBiasPlusOptionalC()
    {
        using var pool = new WorkerPool(1);
        var gemm = new Gemm(pool);
        var p = new Problem(false, false, 5, 9, 0, 3);
        p.AssertMatches(p.Run(null, true, true), p.Run(gemm, true, true), "k=0 accumulate");
        p.AssertMatches(p.Run(null, false, true), p.Run(gemm, false, true), "k=0");
    }

    [Fact]
    public void BitwiseIdentical_For1_2_3Threads()
    {
        using var p1 = new WorkerPool(1);
        using var p2 = new WorkerPool(2);
        using var p3 = new WorkerPool(3);
        Gemm[] gemms = [new Gemm(p1), new Gemm(p2), new Gemm(p3)];
        int seed = 100;
        foreach (bool ta in new[] { false, true })
        {
            foreach (bool tb in new[] { false, true })
            {
                // Several row blocks, column tiles, column blocks and kc blocks, with ragged edges; then the narrow (n <= 16) path.
                foreach (var (m, n, k) in new[] { (301, 419, 1111), (97, 1100, 130), (803, 10, 517), (29, 16, 70) })
                {
                    var p = new Problem(ta, tb, m, n, k, seed++);
                    float[] first = p.Run(gemms[0], true, true);
                    for (int t = 1; t < gemms.Length; t++)
                    {
                        float[] other = p.Run(gemms[t], true, true);
                        for (int i = 0; i < first.Length; i++)
                            if (BitConverter.SingleToInt32Bits(first[i]) != BitConverter.SingleToInt32Bits(other[i]))
                                Assert.Fail($"transA={ta} transB={tb} {m}x{n}x{k}: {t + 1} threads differ from 1 at {i}: {other[i]} vs {first[i]}.");
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void WarmMultiply_AllocatesNothing(int threads)
    {
        using var pool = new WorkerPool(threads);
        var gemm = new Gemm(pool);
        var p = new Problem(false, true, 200, 300, 400, 5);
        var c = (float[])p.C.Clone();
        void Multiply(int times)
        {
            fixed (float* a = p.A, b = p.B, pc = c, pb = p.Bias)
            {
                for (int i = 0; i < times; i++)
                {
                    gemm.Multiply(false, true, p.M, p.N, p.K, a, p.Lda, b, p.Ldb, pc, p.Ldc, false, pb);
                    gemm.Multiply(true, false, p.M, p.N, p.K, a, p.M, b, p.N, pc, p.Ldc, true); // same buffers read as [k x m] and [k x n]
                }
            }
        }
        Multiply(3);
        Assert.Equal(0, Allocations.Measure(() => Multiply(5)));
    }
}
