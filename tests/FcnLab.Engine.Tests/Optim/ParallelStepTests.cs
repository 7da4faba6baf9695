using FcnLab.Engine.Layers;
using FcnLab.Engine.Optim;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Tests.Optim;

public class ParallelStepTests
{
    [Theory]
    [InlineData(OptimizerKind.Sgd, 0.9, true)]
    [InlineData(OptimizerKind.RmsProp, 0.5, false)]
    [InlineData(OptimizerKind.Adam, 0.0, false)]
    [InlineData(OptimizerKind.AdamW, 0.0, false)]
    public void StepOnAPool_IsBitwiseTheSerialStep(OptimizerKind kind, double momentum, bool nesterov)
    {
        // More than two chunks plus a ragged tail.
        const int n = (1 << 17) + 12345;
        var config = new OptimizerConfig { Kind = kind, Lr = 0.01, Momentum = momentum, Nesterov = nesterov, WeightDecay = 0.01 };
        float[] Run(WorkerPool? pool)
        {
            var set = new ParameterSet([new Parameter("w", ParameterKind.Weight, n)]);
            var rng = new Rng(5);
            for (int i = 0; i < n; i++) set.Values[i] = rng.NextFloat() - 0.5f;
            var optimizer = Optimizer.Create(config, set, pool);
            for (int step = 0; step < 3; step++)
            {
                for (int i = 0; i < n; i++) set.Grads[i] = rng.NextFloat() - 0.5f;
                optimizer.Step();
            }
            return set.Values.ToArray();
        }
        using var pool = new WorkerPool(3);
        Assert.Equal(Run(null), Run(pool));
    }
}
