using System.Runtime.CompilerServices;
using System.Numerics;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>
/// Batch normalization per channel over the batch and the image (PyTorch's nn.BatchNorm2d on
/// [batch, channels, height, width]). Training: normalise with the batch mean and biased variance
/// over batch x height x width values, and update the running statistics with the unbiased variance.
/// Eval: normalise with the running statistics.
/// <para>
/// One job per channel on the worker pool when there is one; a job walks the samples in order and
/// sums in double (vector lanes, then the lanes in order), so results do not depend on the thread count.
/// </para>
/// </summary>
public sealed class BatchNorm2d : BatchNormBase
{
    private readonly WorkerPool? _pool;
    private readonly IndexJob _forwardJob, _backwardJob;
    // Per-channel statistics of the last Forward (batch ones in training, running ones in eval), kept for backward.
    private readonly float[] _mean, _invStd;
    private BatchBuffer? _output, _gradInput;
    private Tensor? _input, _y, _gradOutput, _dx;
    private bool _lastTraining;

    public int Channels => Features;

    /// <param name="pool">Worker pool to spread the channels over (null: run on the calling thread; same results).</param>
    public BatchNorm2d(int channels, double momentum = 0.1, double eps = 1e-5, WorkerPool? pool = null)
        : base("BatchNorm2d", "channel", channels, momentum, eps)
    {
        _mean = new float[channels];
        _invStd = new float[channels];
        _pool = pool;
        _forwardJob = new IndexJob(ForwardChannel);
        _backwardJob = new IndexJob(BackwardChannel);
    }

    public override int[] OutputShape(int[] inputShape)
    {
        if (inputShape.Length != 3 || inputShape[0] != Channels)
            throw new FcnLabException($"{Describe()} expects samples of shape [{Channels}, height, width] but gets {LayerJobs.Shape(inputShape)}; make its channel count match the previous convolution's.");
        return (int[])inputShape.Clone();
    }

    // x [B, C, H, W] -> y [B, C, H, W];  y = (x - mean[c]) * invstd[c] * gamma[c] + beta[c]
    /// <summary>
    /// Built with a ReLU after it (one built <see cref="ReLU.AppliedByPrevious"/>): Forward stores
    /// max(y, 0) (Backward reads the input and the statistics, never y).
    /// </summary>
    public bool ReluOnOutput { get; init; }

    public override Tensor Forward(Tensor input, bool training)
    {
        if (input.Rank != 4 || input.Shape[1] != Channels)
            throw new FcnLabException($"{Describe()} got an input of shape {LayerJobs.Shape(input.Shape)}; it needs [batch, {Channels}, height, width].");
        if (training && input.Shape[0] * input.Shape[2] * input.Shape[3] < 2)
            throw new FcnLabException($"{Describe()} cannot train on {LayerJobs.Shape(input.Shape)}: batch statistics need more than 1 value per channel (PyTorch errors too). Use a batch size of at least 2.");
        var y = ActivationBuffers.For(ref _output, input);
        (_input, _lastTraining, _y) = (input, training, y);
        LayerJobs.Run(_pool, _forwardJob, Channels);
        _y = null;
        return y;
    }

    // training: dx = (gamma*invstd/N) * (N*dy - sum(dy) - xhat*sum(dy*xhat));  eval: dx = dy*gamma*invstd;
    // dgamma += sum(dy*xhat);  dbeta += sum(dy)   (sums over batch, height and width; N their count)
    public override Tensor? Backward(Tensor gradOutput)
    {
        var x = _input ?? throw new InvalidOperationException($"{Describe()}: Backward called before Forward.");
        if (!gradOutput.Shape.AsSpan().SequenceEqual(x.Shape))
            throw new FcnLabException($"{Describe()} got an output gradient of shape {LayerJobs.Shape(gradOutput.Shape)}; it needs {LayerJobs.Shape(x.Shape)} to match the last Forward.");
        _dx = NeedsInputGradient ? ActivationBuffers.For(ref _gradInput, x) : null;
        _gradOutput = gradOutput;
        LayerJobs.Run(_pool, _backwardJob, Channels);
        var dx = _dx;
        (_gradOutput, _dx) = (null, null);
        return dx;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ForwardChannel(int c)
    {
        var x = _input!;
        int batch = x.Shape[0], plane = x.Shape[2] * x.Shape[3];
        ReadOnlySpan<float> xs = x.Span;
        if (_lastTraining)
        {
            // Two passes in double, samples in order: exact enough and reproducible.
            long n = (long)batch * plane;
            double sum = 0;
            for (int b = 0; b < batch; b++) sum += Sum(Plane(xs, b, c, plane));
            double mean = sum / n, squares = 0;
            for (int b = 0; b < batch; b++) squares += SumSquares(Plane(xs, b, c, plane), mean);
            double variance = squares / n;
            _mean[c] = (float)mean;
            _invStd[c] = (float)(1.0 / Math.Sqrt(variance + Eps));
            UpdateRunningStats(c, mean, variance, n);
        }
        else
        {
            _mean[c] = RunningMean[c];
            _invStd[c] = (float)(1.0 / Math.Sqrt(RunningVar[c] + Eps));
        }
        float m = _mean[c], invStd = _invStd[c], gamma = Weight.Value[c], beta = Bias.Value[c];
        var ys = _y!.Span;
        bool relu = ReluOnOutput;
        for (int b = 0; b < batch; b++)
        {
            var xp = Plane(xs, b, c, plane);
            var yp = ys.Slice((b * Channels + c) * plane, plane);
            int i = 0;
            for (; i <= plane - Vector<float>.Count; i += Vector<float>.Count)
            {
                var xhat = (new Vector<float>(xp.Slice(i)) - new Vector<float>(m)) * new Vector<float>(invStd);
                var v = xhat * new Vector<float>(gamma) + new Vector<float>(beta);
                if (relu) v = Vector.ConditionalSelect(Vector.LessThan(v, Vector<float>.Zero), Vector<float>.Zero, v);
                v.CopyTo(yp.Slice(i));
            }
            for (; i < plane; i++)
            {
                float v = (xp[i] - m) * invStd * gamma + beta;
                yp[i] = relu && v < 0f ? 0f : v;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BackwardChannel(int c)
    {
        var x = _input!;
        int batch = x.Shape[0], plane = x.Shape[2] * x.Shape[3];
        long n = (long)batch * plane;
        ReadOnlySpan<float> xs = x.Span, dys = _gradOutput!.Span;
        float m = _mean[c], invStd = _invStd[c];
        double sumDy = 0, sumDyXhat = 0;
        for (int b = 0; b < batch; b++)
        {
            var (s, p) = GradSums(Plane(xs, b, c, plane), Plane(dys, b, c, plane), m, invStd);
            sumDy += s;
            sumDyXhat += p;
        }
        Weight.Grad[c] += (float)sumDyXhat;
        Bias.Grad[c] += (float)sumDy;
        if (_dx == null) return;

        float scale = Weight.Value[c] * invStd;
        float c1 = _lastTraining ? (float)(sumDy / n) : 0f, c2 = _lastTraining ? (float)(sumDyXhat / n) : 0f;
        var dxs = _dx.Span;
        for (int b = 0; b < batch; b++)
        {
            var xp = Plane(xs, b, c, plane);
            var dyp = Plane(dys, b, c, plane);
            var dxp = dxs.Slice((b * Channels + c) * plane, plane);
            int i = 0;
            for (; i <= plane - Vector<float>.Count; i += Vector<float>.Count)
            {
                var xhat = (new Vector<float>(xp.Slice(i)) - new Vector<float>(m)) * new Vector<float>(invStd);
                var inner = new Vector<float>(dyp.Slice(i)) - new Vector<float>(c1) - xhat * new Vector<float>(c2);
                (new Vector<float>(scale) * inner).CopyTo(dxp.Slice(i));
            }
            for (; i < plane; i++)
            {
                float xhat = (xp[i] - m) * invStd;
                dxp[i] = scale * (dyp[i] - c1 - xhat * c2);
            }
        }
    }

    private ReadOnlySpan<float> Plane(ReadOnlySpan<float> t, int b, int c, int plane) => t.Slice((b * Channels + c) * plane, plane);

    /// <summary>sum(x) in double: vector lanes, then the lanes and the tail in order.</summary>
    private static double Sum(ReadOnlySpan<float> x)
    {
        var lo = Vector<double>.Zero;
        var hi = Vector<double>.Zero;
        int i = 0;
        for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            Vector.Widen(new Vector<float>(x.Slice(i)), out var a, out var b);
            lo += a;
            hi += b;
        }
        double sum = Vector.Sum(lo) + Vector.Sum(hi);
        for (; i < x.Length; i++) sum += x[i];
        return sum;
    }

    /// <summary>sum((x - mean)^2) in double, in the same order as <see cref="Sum"/>.</summary>
    private static double SumSquares(ReadOnlySpan<float> x, double mean)
    {
        var lo = Vector<double>.Zero;
        var hi = Vector<double>.Zero;
        var m = new Vector<double>(mean);
        int i = 0;
        for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            Vector.Widen(new Vector<float>(x.Slice(i)), out var a, out var b);
            lo += (a - m) * (a - m);
            hi += (b - m) * (b - m);
        }
        double sum = Vector.Sum(lo) + Vector.Sum(hi);
        for (; i < x.Length; i++)
        {
            double d = x[i] - mean;
            sum += d * d;
        }
        return sum;
    }

    /// <summary>(sum(dy), sum(dy * xhat)) in double, xhat in float as in forward.</summary>
    private static (double SumDy, double SumDyXhat) GradSums(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, float mean, float invStd)
    {
        var d0 = Vector<double>.Zero;
        var d1 = Vector<double>.Zero;
        var p0 = Vector<double>.Zero;
        var p1 = Vector<double>.Zero;
        int i = 0;
        for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var xhat = (new Vector<float>(x.Slice(i)) - new Vector<float>(mean)) * new Vector<float>(invStd);
            Vector.Widen(new Vector<float>(dy.Slice(i)), out var a, out var b);
            Vector.Widen(xhat, out var h0, out var h1);
            d0 += a;
            d1 += b;
            p0 += a * h0;
            p1 += b * h1;
        }
        double sumDy = Vector.Sum(d0) + Vector.Sum(d1), sumDyXhat = Vector.Sum(p0) + Vector.Sum(p1);
        for (; i < x.Length; i++)
        {
            float xhat = (x[i] - mean) * invStd;
            sumDy += dy[i];
            sumDyXhat += (double)dy[i] * xhat;
        }
        return (sumDy, sumDyXhat);
    }
}
