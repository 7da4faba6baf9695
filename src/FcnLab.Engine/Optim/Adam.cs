using System.Numerics;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Optim;

/// <summary>
/// Adam as torch.optim.Adam (torch 1.13's single-tensor path, amsgrad off): g += wd*p;
/// m = beta1*m + (1-beta1)*g; v = beta2*v + (1-beta2)*g^2; step_size = lr/(1-beta1^t);
/// denom = sqrt(v)/sqrt(1-beta2^t) + eps; p -= step_size * m/denom.
/// </summary>
public class Adam : Optimizer
{
    private readonly Tensor _expAvg;
    private readonly Tensor _expAvgSq;

    public Adam(OptimizerConfig config, ParameterSet parameters, WorkerPool? pool = null) : base(config, parameters, pool)
    {
        _expAvg = NewStateBuffer();
        _expAvgSq = NewStateBuffer();
        State = [("exp_avg", _expAvg), ("exp_avg_sq", _expAvgSq)]; // built once: reading it allocates nothing
    }

    public override IReadOnlyList<(string Name, Tensor Value)> State { get; }

    /// <summary>Weight decay added to the gradient (L2), Adam's coupled form; AdamW overrides with 0.</summary>
    protected virtual double CoupledWeightDecay => Config.WeightDecay;

    protected override void Update(int offset, Span<float> values, ReadOnlySpan<float> grads) =>
        AdamUpdate(offset, values, grads, (float)CoupledWeightDecay);

    /// <summary>The Adam update shared with AdamW (which decays the parameters itself first).</summary>
    protected void AdamUpdate(int offset, Span<float> values, ReadOnlySpan<float> grads, float wd)
    {
        double beta1 = Config.Beta1, beta2 = Config.Beta2;
        // Bias corrections and step size in double, as PyTorch computes them from Python floats.
        double biasCorrection1 = 1 - Math.Pow(beta1, StepCount);
        double biasCorrection2 = 1 - Math.Pow(beta2, StepCount);
        float negStepSize = (float)-(Lr / biasCorrection1);
        float biasCorrection2Sqrt = (float)Math.Sqrt(biasCorrection2);
        float b1 = (float)beta1, oneMinusB1 = (float)(1 - beta1);
        float b2 = (float)beta2, oneMinusB2 = (float)(1 - beta2);
        float eps = (float)Config.Eps;
        Span<float> m = _expAvg.Span.Slice(offset, values.Length);
        Span<float> s = _expAvgSq.Span.Slice(offset, values.Length);

        int n = values.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vWd = new Vector<float>(wd);
            var vB1 = new Vector<float>(b1);
            var vOneMinusB1 = new Vector<float>(oneMinusB1);
            var vB2 = new Vector<float>(b2);
            var vOneMinusB2 = new Vector<float>(oneMinusB2);
            var vBc2Sqrt = new Vector<float>(biasCorrection2Sqrt);
            var vEps = new Vector<float>(eps);
            var vNegStep = new Vector<float>(negStepSize);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var p = Load(values, i);
                var g = Load(grads, i);
                if (wd != 0) g += vWd * p;
                var mi = Load(m, i) * vB1 + vOneMinusB1 * g;
                var si = Load(s, i) * vB2 + vOneMinusB2 * (g * g);
                Store(mi, m, i);
                Store(si, s, i);
                var denom = Vector.SquareRoot(si) / vBc2Sqrt + vEps;
                Store(p + vNegStep * (mi / denom), values, i);
            }
        }
        for (; i < n; i++)
        {
            float p = values[i];
            float g = grads[i];
            if (wd != 0) g += wd * p;
            float mi = m[i] * b1 + oneMinusB1 * g;
            float si = s[i] * b2 + oneMinusB2 * (g * g);
            m[i] = mi;
            s[i] = si;
            float denom = MathF.Sqrt(si) / biasCorrection2Sqrt + eps;
            values[i] = p + negStepSize * (mi / denom);
        }
    }
}
