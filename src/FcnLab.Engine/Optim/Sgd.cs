using System.Numerics;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Optim;

/// <summary>
/// Stochastic gradient descent as torch.optim.SGD (dampening 0):
/// d = g + wd*p; buf = d on the first step, else momentum*buf + d; d = nesterov ? d + momentum*buf : buf; p -= lr*d.
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly Tensor? _momentumBuffer;

    public Sgd(OptimizerConfig config, ParameterSet parameters, WorkerPool? pool = null) : base(config, parameters, pool)
    {
        if (config.Momentum != 0) _momentumBuffer = NewStateBuffer();
        State = _momentumBuffer is null ? [] : [("momentum_buffer", _momentumBuffer)]; // built once: reading it allocates nothing
    }

    public override IReadOnlyList<(string Name, Tensor Value)> State { get; }

    protected override void Update(int offset, Span<float> values, ReadOnlySpan<float> grads)
    {
        // Scalars are cast to float as PyTorch does when it passes a Python number to a float kernel.
        float negLr = (float)-Lr;
        float wd = (float)Config.WeightDecay;
        float momentum = (float)Config.Momentum;
        bool hasMomentum = _momentumBuffer is not null;
        bool nesterov = Config.Nesterov;
        bool first = StepCount == 1; // PyTorch's "buf is None": the buffer starts as a copy of d
        Span<float> buf = hasMomentum ? _momentumBuffer!.Span.Slice(offset, values.Length) : default;

        int n = values.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vNegLr = new Vector<float>(negLr);
            var vWd = new Vector<float>(wd);
            var vMomentum = new Vector<float>(momentum);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var p = Load(values, i);
                var d = Load(grads, i);
                if (wd != 0) d += vWd * p;
                if (hasMomentum)
                {
                    var b = first ? d : Load(buf, i) * vMomentum + d;
                    Store(b, buf, i);
                    d = nesterov ? d + vMomentum * b : b;
                }
                Store(p + vNegLr * d, values, i);
            }
        }
        for (; i < n; i++)
        {
            float p = values[i];
            float d = grads[i];
            if (wd != 0) d += wd * p;
            if (hasMomentum)
            {
                float b = first ? d : buf[i] * momentum + d;
                buf[i] = b;
                d = nesterov ? d + momentum * b : b;
            }
            values[i] = p + negLr * d;
        }
    }
}
