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
                optimizer.Step(config.Lr);
            }
            return set.Values.ToArray();
        }
        using var pool = new WorkerPool(3);
        Assert.Equal(Run(null), Run(pool));
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd, true)]
    [InlineData(OptimizerKind.Adam, true)]
    [InlineData(OptimizerKind.RmsProp, false)]
    public void StepThatZeroesGrads_UpdatesAsStep_AndLeavesEveryGradZero(OptimizerKind kind, bool onPool)
    {
        const int n = (1 << 17) + 777;
        var config = new OptimizerConfig { Kind = kind, Lr = 0.01, Momentum = 0.9, WeightDecay = 0.01 };
        using var pool = new WorkerPool(2);
        (float[] Values, float[] Grads) Run(bool zeroGrads)
        {
            var set = new ParameterSet([new Parameter("w", ParameterKind.Weight, n)]);
            var rng = new Rng(9);
            for (int i = 0; i < n; i++) set.Values[i] = rng.NextFloat() - 0.5f;
            var optimizer = Optimizer.Create(config, set, onPool ? pool : null);
            for (int step = 0; step < 3; step++)
            {
                for (int i = 0; i < n; i++) set.Grads[i] = rng.NextFloat() - 0.5f;
                optimizer.Step(config.Lr, zeroGrads);
            }
            return (set.Values.ToArray(), set.Grads.ToArray());
        }
        var plain = Run(false);
        var zeroing = Run(true);
        Assert.Equal(plain.Values, zeroing.Values);
        Assert.All(zeroing.Grads, g => Assert.Equal(0f, g));
        Assert.Contains(plain.Grads, g => g != 0f);
    }
}
