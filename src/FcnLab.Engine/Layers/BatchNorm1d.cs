using System.Numerics;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>
/// Batch normalization over the batch for each feature (PyTorch's nn.BatchNorm1d on [batch, features]).
/// Training: normalise with the batch mean and biased variance, and update the running statistics
/// with the unbiased variance. Eval: normalise with the running statistics.
/// </summary>
public sealed class BatchNorm1d : Layer
{
    private readonly BatchBuffer _output;
    private readonly BatchBuffer _gradInput;
    private readonly Tensor _runningMean;
    private readonly Tensor _runningVar;
    // Per-feature statistics of the last Forward (batch ones in training, running ones in eval), kept for backward.
    private readonly float[] _mean;
    private readonly float[] _invStd;
    private readonly float[] _row;
    private readonly float[] _scale;
    private readonly float[] _c1;
    private readonly float[] _c2;
    private readonly double[] _sum;
    private readonly double[] _sum2;
    private Tensor? _input;
    private bool _lastTraining;

    public int Features { get; }
    public double Momentum { get; }
    public double Eps { get; }

    /// <summary>gamma [features]</summary>
    public Parameter Weight { get; }

    /// <summary>beta [features]</summary>
    public Parameter Bias { get; }

    /// <summary>[features]</summary>
    public Tensor RunningMean => _runningMean;

    /// <summary>[features]</summary>
    public Tensor RunningVar => _runningVar;

    public BatchNorm1d(int features, double momentum = 0.1, double eps = 1e-5)
    {
        if (features < 1) throw new FcnLabException($"BatchNorm1d({features}): the feature count must be at least 1.");
        if (!(momentum >= 0 && momentum <= 1)) throw new FcnLabException($"BatchNorm1d: momentum must be in [0, 1] (got {momentum}); PyTorch's default is 0.1.");
        if (!(eps > 0)) throw new FcnLabException($"BatchNorm1d: eps must be positive (got {eps}); PyTorch's default is 1e-5.");
        Features = features;
        Momentum = momentum;
        Eps = eps;
        Weight = new Parameter("weight", ParameterKind.BatchNormScale, features);
        Bias = new Parameter("bias", ParameterKind.BatchNormShift, features);
        Parameters = [Weight, Bias];
        _runningMean = Tensor.Zeros(features);
        _runningVar = Tensor.Zeros(features);
        Buffers = [("running_mean", _runningMean), ("running_var", _runningVar)];
        _output = new BatchBuffer(features);
        _gradInput = new BatchBuffer(features);
        _mean = new float[features];
        _invStd = new float[features];
        _row = new float[features];
        _scale = new float[features];
        _c1 = new float[features];
        _c2 = new float[features];
        _sum = new double[features];
        _sum2 = new double[features];
        ResetRunningStats();
    }

    // PyTorch spells eps "1e-05".
    public override string Describe() => FormattableString.Invariant($"BatchNorm1d({Features}, eps={Eps.ToString("R", System.Globalization.CultureInfo.InvariantCulture).ToLowerInvariant()}, momentum={Momentum})");

    public override IReadOnlyList<Parameter> Parameters { get; }

    public override IReadOnlyList<(string Name, Tensor Value)> Buffers { get; }

    public override int[] OutputShape(int[] inputShape)
    {
        if (inputShape.Length != 1 || inputShape[0] != Features)
            throw new FcnLabException($"{Describe()} expects {Features} features per sample but gets shape [{string.Join(", ", inputShape)}]; make the feature count match the previous layer's output.");
        return [Features];
    }

    /// <summary>running_mean = 0, running_var = 1 (PyTorch's reset_running_stats).</summary>
    public void ResetRunningStats()
    {
        _runningMean.Span.Fill(0f);
        _runningVar.Span.Fill(1f);
    }

    /// <summary>gamma = 1, beta = 0 and fresh running statistics (PyTorch's reset_parameters). Parameters must be bound.</summary>
    public void ResetParameters()
    {
        ResetRunningStats();
        Weight.Value.Span.Fill(1f);
        Bias.Value.Span.Fill(0f);
    }

    // x [B, C] -> y [B, C];  y = (x - mean) * invstd * gamma + beta
    public override Tensor Forward(Tensor input, bool training)
    {
        int batch = input.Rows, c = Features;
        if (input.Rank != 2 || input.Shape[1] != c)
            throw new FcnLabException($"{Describe()} got an input of shape [{string.Join(", ", input.Shape)}]; it needs [batch, {c}].");
        ReadOnlySpan<float> x = input.Span;

        if (training)
        {
            if (batch < 2)
                throw new FcnLabException($"{Describe()} cannot train on a batch of {batch}: batch statistics need more than 1 value per feature (PyTorch errors too). Use a batch size of at least 2, or drop the last incomplete batch.");
            // Two passes in double, rows in order: exact enough and reproducible.
            var sum = _sum.AsSpan();
            var sq = _sum2.AsSpan();
            sum.Clear();
            sq.Clear();
            for (int i = 0; i < batch; i++)
            {
                var row = x.Slice(i * c, c);
                for (int j = 0; j < c; j++) sum[j] += row[j];
            }
            for (int j = 0; j < c; j++) sum[j] /= batch;
            for (int i = 0; i < batch; i++)
            {
                var row = x.Slice(i * c, c);
                for (int j = 0; j < c; j++)
                {
                    double d = row[j] - sum[j];
                    sq[j] += d * d;
                }
            }
            var runningMean = _runningMean.Span;
            var runningVar = _runningVar.Span;
            for (int j = 0; j < c; j++)
            {
                double mean = sum[j], variance = sq[j] / batch;
                _mean[j] = (float)mean;
                _invStd[j] = (float)(1.0 / Math.Sqrt(variance + Eps));
                runningMean[j] = (float)((1 - Momentum) * runningMean[j] + Momentum * mean);
                runningVar[j] = (float)((1 - Momentum) * runningVar[j] + Momentum * variance * batch / (batch - 1));
            }
        }
        else
        {
            ReadOnlySpan<float> runningMean = _runningMean.Span, runningVar = _runningVar.Span;
            for (int j = 0; j < c; j++)
            {
                _mean[j] = runningMean[j];
                _invStd[j] = (float)(1.0 / Math.Sqrt(runningVar[j] + Eps));
            }
        }

        var y = _output.For(batch);
        var ys = y.Span;
        ReadOnlySpan<float> gamma = Weight.Value.Span, beta = Bias.Value.Span;
        for (int i = 0; i < batch; i++)
        {
            var xhat = NormalizeRow(x.Slice(i * c, c));
            var yr = ys.Slice(i * c, c);
            int j = 0;
            for (; j <= c - Vector<float>.Count; j += Vector<float>.Count)
                (new Vector<float>(xhat.Slice(j)) * new Vector<float>(gamma.Slice(j)) + new Vector<float>(beta.Slice(j))).CopyTo(yr.Slice(j));
            for (; j < c; j++) yr[j] = xhat[j] * gamma[j] + beta[j];
        }
        _input = input;
        _lastTraining = training;
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
        ReadOnlySpan<float> x = input.Span, dy = gradOutput.Span;

        var sumDy = _sum.AsSpan();
        var sumDyXhat = _sum2.AsSpan();
        sumDy.Clear();
        sumDyXhat.Clear();
        for (int i = 0; i < batch; i++)
        {
            var xhat = NormalizeRow(x.Slice(i * c, c));
            var dyr = dy.Slice(i * c, c);
            for (int j = 0; j < c; j++)
            {
                sumDy[j] += dyr[j];
                sumDyXhat[j] += (double)dyr[j] * xhat[j];
            }
        }
        var dGamma = Weight.Grad.Span;
        var dBeta = Bias.Grad.Span;
        for (int j = 0; j < c; j++)
        {
            dGamma[j] += (float)sumDyXhat[j];
            dBeta[j] += (float)sumDy[j];
        }
        if (!NeedsInputGradient) return null;

        ReadOnlySpan<float> gamma = Weight.Value.Span;
        for (int j = 0; j < c; j++)
        {
            _scale[j] = gamma[j] * _invStd[j];
            _c1[j] = _lastTraining ? (float)(sumDy[j] / batch) : 0f;
            _c2[j] = _lastTraining ? (float)(sumDyXhat[j] / batch) : 0f;
        }
        var dx = _gradInput.For(batch);
        var dxs = dx.Span;
        for (int i = 0; i < batch; i++)
        {
            var xhat = NormalizeRow(x.Slice(i * c, c));
            var dyr = dy.Slice(i * c, c);
            var dxr = dxs.Slice(i * c, c);
            int j = 0;
            for (; j <= c - Vector<float>.Count; j += Vector<float>.Count)
            {
                var inner = new Vector<float>(dyr.Slice(j)) - new Vector<float>(_c1, j) - new Vector<float>(xhat.Slice(j)) * new Vector<float>(_c2, j);
                (new Vector<float>(_scale, j) * inner).CopyTo(dxr.Slice(j));
            }
            for (; j < c; j++) dxr[j] = _scale[j] * (dyr[j] - _c1[j] - xhat[j] * _c2[j]);
        }
        return dx;
    }

    /// <summary>xhat = (x - mean) * invstd for one row, into a scratch row (same float arithmetic in forward and backward).</summary>
    private ReadOnlySpan<float> NormalizeRow(ReadOnlySpan<float> x)
    {
        var xhat = _row.AsSpan();
        int c = x.Length, j = 0;
        for (; j <= c - Vector<float>.Count; j += Vector<float>.Count)
            ((new Vector<float>(x.Slice(j)) - new Vector<float>(_mean, j)) * new Vector<float>(_invStd, j)).CopyTo(xhat.Slice(j));
        for (; j < c; j++) xhat[j] = (x[j] - _mean[j]) * _invStd[j];
        return xhat;
    }
}
