using System.Numerics;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>
/// Fully connected layer, y = x W + b (PyTorch's nn.Linear). The weight is stored [in, out], the
/// transpose of PyTorch's [out, in], so the forward product and the weight gradient both read
/// contiguous rows; model files and PyTorch imports transpose at the boundary.
/// </summary>
public sealed unsafe class Linear : Layer
{
    private readonly Gemm _gemm;
    private readonly WorkerPool? _pool;
    private readonly BatchBuffer _output;
    private readonly BatchBuffer _gradInput;
    private Tensor? _input;

    /// <summary>
    /// Built with a ReLU after it (one built <see cref="ReLU.AppliedByPrevious"/>): the forward product
    /// applies max(y, 0) while the output tile is in registers.
    /// </summary>
    public bool ReluOnOutput { get; init; }

    /// <summary>
    /// Built with a ReLU before it (one built <see cref="ReLU.DerivativeAppliedByNext"/>), so the input
    /// is that ReLU's output: the input-gradient product applies ReLU's derivative, dx *= (x > 0).
    /// </summary>
    public bool ReluOnInput { get; init; }

    public int InFeatures { get; }
    public int OutFeatures { get; }

    /// <summary>[in, out]</summary>
    public Parameter Weight { get; }

    /// <summary>[out]</summary>
    public Parameter Bias { get; }

    /// <param name="gemm">The matrix products' engine.</param>
    /// <param name="pool">Worker pool for the bias gradient of wide layers (null: the calling thread; same results).</param>
    public Linear(int inFeatures, int outFeatures, Gemm gemm, WorkerPool? pool = null)
    {
        if (inFeatures < 1 || outFeatures < 1)
            throw new FcnLabException($"Linear({inFeatures}, {outFeatures}): both feature counts must be at least 1.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        _gemm = gemm;
        _pool = pool;
        Weight = new Parameter("weight", ParameterKind.Weight, inFeatures, outFeatures);
        Bias = new Parameter("bias", ParameterKind.Bias, outFeatures);
        Parameters = [Weight, Bias];
        _output = new BatchBuffer(outFeatures);
        _gradInput = new BatchBuffer(inFeatures);
    }

    public override string Describe() => $"Linear({InFeatures}, {OutFeatures})";

    public override IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Any per-sample shape with InFeatures elements (an image is read flattened, row-major).</summary>
    public override int[] OutputShape(int[] inputShape)
    {
        int n = Tensor.SizeOf(inputShape);
        if (n != InFeatures)
            throw new FcnLabException($"{Describe()} expects {InFeatures} input features per sample but gets shape [{string.Join(", ", inputShape)}] ({n}); make the layer's input size match the previous layer's output.");
        return [OutFeatures];
    }

    // x [B, in] (any per-sample shape of in elements), W [in, out], b [out] -> y [B, out]
    public override Tensor Forward(Tensor input, bool training)
    {
        int batch = input.Rows;
        if (input.RowSize != InFeatures || input.Length != batch * InFeatures)
            throw new FcnLabException($"{Describe()} got an input of shape [{string.Join(", ", input.Shape)}]; it needs [batch, {InFeatures}].");
        var y = _output.For(batch);
        _gemm.Multiply(false, false, batch, OutFeatures, InFeatures,
            input.Pointer, InFeatures, Weight.Value.Pointer, OutFeatures, y.Pointer, OutFeatures,
            accumulate: false, Bias.Value.Pointer, ReluOnOutput ? GemmEpilogue.Relu : GemmEpilogue.None);
        _input = input;
        return y;
    }

    // dW += x^T dY;  db += sum_rows dY;  dx = dY W^T   (dY [B, out], dx [B, in]; with ReluOnInput, dx *= (x > 0))
    public override Tensor? Backward(Tensor gradOutput)
    {
        var x = _input ?? throw new InvalidOperationException($"{Describe()}: Backward called before Forward.");
        int batch = x.Rows;
        if (gradOutput.Rows != batch || gradOutput.Length != batch * OutFeatures)
            throw new FcnLabException($"{Describe()} got an output gradient of shape [{string.Join(", ", gradOutput.Shape)}]; it needs [{batch}, {OutFeatures}] to match the last Forward.");

        _gemm.Multiply(true, false, InFeatures, OutFeatures, batch,
            x.Pointer, InFeatures, gradOutput.Pointer, OutFeatures, Weight.Grad.Pointer, OutFeatures, accumulate: true);
        AddBiasGradient(gradOutput, batch);

        if (!NeedsInputGradient) return null;
        var dx = _gradInput.For(batch);
        _gemm.Multiply(false, true, batch, InFeatures, OutFeatures,
            gradOutput.Pointer, OutFeatures, Weight.Value.Pointer, OutFeatures, dx.Pointer, InFeatures, accumulate: false, bias: null,
            ReluOnInput ? GemmEpilogue.PositiveMask : GemmEpilogue.None, ReluOnInput ? x.Pointer : null, InFeatures);
        return dx;
    }

    /// <summary>Columns per parallel chunk of the bias gradient (a multiple of every vector width).</summary>
    private const int BiasChunkColumns = 512;

    private BiasGradientJob? _biasJob;

    /// <summary>
    /// db += column sums of dY, split over the pool by fixed column chunks when there are several:
    /// each column still adds its rows in order, so the result is the same on any thread count.
    /// </summary>
    private void AddBiasGradient(Tensor gradOutput, int batch)
    {
        int chunks = (OutFeatures + BiasChunkColumns - 1) / BiasChunkColumns;
        if (chunks < 2 || _pool is not { Threads: >= 2 })
        {
            AddColumnSums(gradOutput.Span, batch, OutFeatures, Bias.Grad.Span);
            return;
        }
        _biasJob ??= new BiasGradientJob(this);
        (_biasJob.GradOutput, _biasJob.Batch) = (gradOutput, batch);
        _pool.Run(_biasJob, chunks);
        _biasJob.GradOutput = null;
    }

    private sealed class BiasGradientJob(Linear layer) : IParallelJob
    {
        public Tensor? GradOutput;
        public int Batch;

        public void Execute(int index)
        {
            int j0 = index * BiasChunkColumns, w = Math.Min(BiasChunkColumns, layer.OutFeatures - j0);
            AddColumnSums(GradOutput!.Span[j0..], Batch, layer.OutFeatures, w, layer.Bias.Grad.Span.Slice(j0, w));
        }
    }

    /// <summary>sums[j] += sum over rows of m[i, j], rows added in order so the result is reproducible.</summary>
    internal static void AddColumnSums(ReadOnlySpan<float> m, int rows, int cols, Span<float> sums) =>
        AddColumnSums(m, rows, cols, cols, sums);

    /// <summary>The same for the first <paramref name="width"/> columns of a matrix with row stride <paramref name="stride"/>.</summary>
    private static void AddColumnSums(ReadOnlySpan<float> m, int rows, int stride, int cols, Span<float> sums)
    {
        var acc = sums;
        for (int i = 0; i < rows; i++)
        {
            var row = m.Slice(i * stride, cols);
            int j = 0;
            for (; j <= cols - Vector<float>.Count; j += Vector<float>.Count)
                (new Vector<float>(acc.Slice(j)) + new Vector<float>(row.Slice(j))).CopyTo(acc.Slice(j));
            for (; j < cols; j++) acc[j] += row[j];
        }
    }
}
