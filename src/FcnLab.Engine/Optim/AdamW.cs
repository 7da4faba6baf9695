using System.Numerics;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Optim;

/// <summary>
/// AdamW as torch.optim.AdamW: decoupled weight decay p *= 1 - lr*wd first, then the Adam update
/// with no decay in the gradient.
/// </summary>
public sealed class AdamW : Adam
{
    public AdamW(OptimizerConfig config, ParameterSet parameters, WorkerPool? pool = null) : base(config, parameters, pool) { }

    protected override double CoupledWeightDecay => 0;

    protected override void Update(int offset, Span<float> values, ReadOnlySpan<float> grads)
    {
        if (Config.WeightDecay != 0)
        {
            float decay = (float)(1 - Lr * Config.WeightDecay); // in double, as PyTorch's Python scalar
            int n = values.Length;
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var vDecay = new Vector<float>(decay);
                for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
                    Store(Load(values, i) * vDecay, values, i);
            }
            for (; i < n; i++) values[i] *= decay;
        }
        AdamUpdate(offset, values, grads, 0f);
    }
}
