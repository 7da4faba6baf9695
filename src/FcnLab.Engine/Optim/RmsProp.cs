using System.Numerics;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Optim;

/// <summary>
/// RMSprop as torch.optim.RMSprop (not centered): g += wd*p; v = alpha*v + (1-alpha)*g^2;
/// avg = sqrt(v) + eps; with momentum buf = momentum*buf + g/avg, p -= lr*buf; else p -= lr*g/avg.
/// </summary>
public sealed class RmsProp : Optimizer
{
    private readonly Tensor _squareAvg;
    private readonly Tensor? _momentumBuffer;

    public RmsProp(OptimizerConfig config, ParameterSet parameters, WorkerPool? pool = null) : base(config, parameters, pool)
    {
        _squareAvg = NewStateBuffer();
        if (config.Momentum > 0) _momentumBuffer = NewStateBuffer();
        State = _momentumBuffer is null
            ? [("square_avg", _squareAvg)]
            : [("square_avg", _squareAvg), ("momentum_buffer", _momentumBuffer)]; // built once: reading it allocates nothing
    }

    public override IReadOnlyList<(string Name, Tensor Value)> State { get; }

    protected override void Update(int offset, Span<float> values, ReadOnlySpan<float> grads)
    {
        float negLr = (float)-Lr;
        float wd = (float)Config.WeightDecay;
        float alpha = (float)Config.Alpha;
        float oneMinusAlpha = (float)(1 - Config.Alpha); // computed in double like PyTorch's Python scalar
        float eps = (float)Config.Eps;
        float momentum = (float)Config.Momentum;
        bool hasMomentum = _momentumBuffer is not null;
        Span<float> sq = _squareAvg.Span.Slice(offset, values.Length);
        Span<float> buf = hasMomentum ? _momentumBuffer!.Span.Slice(offset, values.Length) : default;

        int n = values.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vNegLr = new Vector<float>(negLr);
            var vWd = new Vector<float>(wd);
            var vAlpha = new Vector<float>(alpha);
            var vOneMinusAlpha = new Vector<float>(oneMinusAlpha);
            var vEps = new Vector<float>(eps);
            var vMomentum = new Vector<float>(momentum);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var p = Load(values, i);
                var g = Load(grads, i);
                if (wd != 0) g += vWd * p;
                var v = Load(sq, i) * vAlpha + vOneMinusAlpha * (g * g);
                Store(v, sq, i);
                var avg = Vector.SquareRoot(v) + vEps;
                if (hasMomentum)
                {
                    var b = Load(buf, i) * vMomentum + g / avg;
                    Store(b, buf, i);
                    Store(p + vNegLr * b, values, i);
                }
                else
                {
                    Store(p + vNegLr * (g / avg), values, i);
                }
            }
        }
        for (; i < n; i++)
        {
            float p = values[i];
            float g = grads[i];
            if (wd != 0) g += wd * p;
            float v = sq[i] * alpha + oneMinusAlpha * (g * g);
            sq[i] = v;
            float avg = MathF.Sqrt(v) + eps;
            if (hasMomentum)
            {
                float b = buf[i] * momentum + g / avg;
                buf[i] = b;
                values[i] = p + negLr * b;
            }
            else
            {
                values[i] = p + negLr * (g / avg);
            }
        }
    }
}
