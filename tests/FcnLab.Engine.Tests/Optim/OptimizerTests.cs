using System.Text.Json;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Optim;

namespace FcnLab.Engine.Tests.Optim;

public class OptimizerTests
{
    private static readonly Lazy<JsonElement> Cases = new(() =>
    {
        string path = Path.Combine(AppContext.BaseDirectory, "TestData", "pytorch-vectors.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").Clone();
    });

    public static TheoryData<string, int> OptimizerCases()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in new[]
        {
            "optim_sgd", "optim_sgd_momentum", "optim_sgd_nesterov", "optim_sgd_weight_decay",
            "optim_rmsprop", "optim_rmsprop_momentum", "optim_rmsprop_weight_decay",
            "optim_adam", "optim_adam_lr_0.1", "optim_adam_weight_decay", "optim_adamw",
        })
        {
            data.Add(name, 1);  // 5 elements: only the scalar tail loop runs
            data.Add(name, 7);  // 35 elements in 7 parameters: the SIMD loop and the tail run
        }
        return data;
    }

    private static OptimizerConfig ConfigFor(string caseName, JsonElement options)
    {
        OptimizerKind kind = caseName.StartsWith("optim_adamw", StringComparison.Ordinal) ? OptimizerKind.AdamW
            : caseName.StartsWith("optim_adam", StringComparison.Ordinal) ? OptimizerKind.Adam
            : caseName.StartsWith("optim_rmsprop", StringComparison.Ordinal) ? OptimizerKind.RmsProp
            : OptimizerKind.Sgd;
        var config = new OptimizerConfig { Kind = kind };
        foreach (var option in options.EnumerateObject())
        {
            config = option.Name switch
            {
                "lr" => config with { Lr = option.Value.GetDouble() },
                "momentum" => config with { Momentum = option.Value.GetDouble() },
                "nesterov" => config with { Nesterov = option.Value.GetBoolean() },
                "weight_decay" => config with { WeightDecay = option.Value.GetDouble() },
                "eps" => config with { Eps = option.Value.GetDouble() },
                "alpha" => config with { Alpha = option.Value.GetDouble() },
                _ => throw new InvalidOperationException($"Test does not know option {option.Name}."),
            };
        }
        return config;
    }

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => e.GetSingle()).ToArray();

    private static ParameterSet MakeSet(int copies, int length) =>
        new(Enumerable.Range(0, copies).Select(c => new Parameter($"p{c}", ParameterKind.Weight, length)));

    private static void Fill(Span<float> target, float[] pattern)
    {
        for (int i = 0; i < target.Length; i++) target[i] = pattern[i % pattern.Length];
    }

    private static void AssertClose(float[] expected, ReadOnlySpan<float> actual, string what)
    {
        for (int i = 0; i < actual.Length; i++)
        {
            double e = expected[i % expected.Length];
            double tol = 1e-6 * Math.Abs(e) + 1e-8;
            Assert.True(Math.Abs(actual[i] - e) <= tol, $"{what}[{i}]: expected {e:R}, got {actual[i]:R}");
        }
    }

    [Theory]
    [MemberData(nameof(OptimizerCases))]
    public void MatchesPyTorch_EveryStep(string caseName, int copies)
    {
        var c = Cases.Value.GetProperty(caseName);
        var config = ConfigFor(caseName, c.GetProperty("options"));
        float[] params0 = Floats(c.GetProperty("params0"));
        var grads = c.GetProperty("grads").EnumerateArray().Select(Floats).ToArray();
        var expected = c.GetProperty("params_after_each_step").EnumerateArray().Select(Floats).ToArray();

        var ps = MakeSet(copies, params0.Length);
        Fill(ps.Values.Span, params0);
        var optimizer = Optimizer.Create(config, ps);
        for (int step = 0; step < grads.Length; step++)
        {
            Fill(ps.Grads.Span, grads[step]);
            optimizer.Step(config.Lr);
            Assert.Equal(step + 1, optimizer.StepCount);
            AssertClose(expected[step], ps.Values.Span, $"{caseName} step {step + 1}");
        }
    }

    [Theory]
    [MemberData(nameof(OptimizerCases))]
    public void RestoringStateMidway_GivesTheSameResult(string caseName, int copies)
    {
        var c = Cases.Value.GetProperty(caseName);
        var config = ConfigFor(caseName, c.GetProperty("options"));
        float[] params0 = Floats(c.GetProperty("params0"));
        var grads = c.GetProperty("grads").EnumerateArray().Select(Floats).ToArray();

        var ps = MakeSet(copies, params0.Length);
        Fill(ps.Values.Span, params0);
        var first = Optimizer.Create(config, ps);
        Fill(ps.Grads.Span, grads[0]);
        first.Step(config.Lr);

        // A "checkpoint": values, step count and state buffers copied into a fresh model and optimizer.
        var resumedSet = MakeSet(copies, params0.Length);
        resumedSet.Values.CopyFrom(ps.Values);
        var resumed = Optimizer.Create(config, resumedSet);
        resumed.StepCount = first.StepCount;
        Assert.Equal(first.State.Select(s => s.Name), resumed.State.Select(s => s.Name));
        for (int s = 0; s < first.State.Count; s++) resumed.State[s].Value.CopyFrom(first.State[s].Value);

        for (int step = 1; step < grads.Length; step++)
        {
            Fill(ps.Grads.Span, grads[step]);
            Fill(resumedSet.Grads.Span, grads[step]);
            first.Step(config.Lr);
            resumed.Step(config.Lr);
        }
        Assert.Equal(ps.Values.ToArray(), resumedSet.Values.ToArray());
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd, 0.0, new string[0])]
    [InlineData(OptimizerKind.Sgd, 0.9, new[] { "momentum_buffer" })]
    [InlineData(OptimizerKind.RmsProp, 0.0, new[] { "square_avg" })]
    [InlineData(OptimizerKind.RmsProp, 0.9, new[] { "square_avg", "momentum_buffer" })]
    [InlineData(OptimizerKind.Adam, 0.0, new[] { "exp_avg", "exp_avg_sq" })]
    [InlineData(OptimizerKind.AdamW, 0.0, new[] { "exp_avg", "exp_avg_sq" })]
    public void State_HasPyTorchNames_AndParameterLength(OptimizerKind kind, double momentum, string[] names)
    {
        var ps = MakeSet(3, 11);
        var optimizer = Optimizer.Create(new OptimizerConfig { Kind = kind, Momentum = momentum }, ps);
        Assert.Equal(names, optimizer.State.Select(s => s.Name));
        Assert.All(optimizer.State, s => Assert.Equal(ps.Count, s.Value.Length));
    }

    [Fact]
    public void Step_UsesTheRateItIsGiven_NotTheConfiguredOne()
    {
        // The schedule owns the rate; the config's --lr is only the schedule's base rate.
        var ps = MakeSet(1, 3);
        var optimizer = Optimizer.Create(new OptimizerConfig { Kind = OptimizerKind.Sgd, Lr = 0.5 }, ps);
        ps.Grads.Span.Fill(1f);
        optimizer.Step(0.25);
        Assert.All(ps.Values.ToArray(), v => Assert.Equal(-0.25f, v));
        Assert.Throws<FcnLabException>(() => optimizer.Step(double.NaN));
    }

    [Theory]
    [InlineData("lr", OptimizerKind.Sgd, 0.0, 0.0, false, 1e-8, 0.0, 0.99, 0.9, 0.999)]
    [InlineData("lr", OptimizerKind.Sgd, double.NaN, 0.0, false, 1e-8, 0.0, 0.99, 0.9, 0.999)]
    [InlineData("momentum", OptimizerKind.Sgd, 0.1, -0.5, false, 1e-8, 0.0, 0.99, 0.9, 0.999)]
    [InlineData("nesterov", OptimizerKind.Sgd, 0.1, 0.0, true, 1e-8, 0.0, 0.99, 0.9, 0.999)]
    [InlineData("nesterov", OptimizerKind.Adam, 0.1, 0.9, true, 1e-8, 0.0, 0.99, 0.9, 0.999)]
    [InlineData("eps", OptimizerKind.Adam, 0.1, 0.0, false, 0.0, 0.0, 0.99, 0.9, 0.999)]
    [InlineData("--weight-decay", OptimizerKind.AdamW, 0.1, 0.0, false, 1e-8, -1e-4, 0.99, 0.9, 0.999)]
    [InlineData("alpha", OptimizerKind.RmsProp, 0.1, 0.0, false, 1e-8, 0.0, 1.0, 0.9, 0.999)]
    [InlineData("beta1", OptimizerKind.Adam, 0.1, 0.0, false, 1e-8, 0.0, 0.99, 1.0, 0.999)]
    [InlineData("beta2", OptimizerKind.Adam, 0.1, 0.0, false, 1e-8, 0.0, 0.99, 0.9, -0.1)]
    public void ValidateConfig_RefusesBadSettings_NamingThem(string setting, OptimizerKind kind, double lr, double momentum,
        bool nesterov, double eps, double weightDecay, double alpha, double beta1, double beta2)
    {
        var config = new OptimizerConfig
        {
            Kind = kind, Lr = lr, Momentum = momentum, Nesterov = nesterov, Eps = eps,
            WeightDecay = weightDecay, Alpha = alpha, Beta1 = beta1, Beta2 = beta2,
        };
        var ex = Assert.Throws<FcnLabException>(() => Optimizer.ValidateConfig(config));
        Assert.Contains(setting, ex.Message);
        Assert.Throws<FcnLabException>(() => Optimizer.Create(config, MakeSet(1, 2)));
    }

    [Fact]
    public void ValidateConfig_AcceptsPyTorchDefaultsAndNesterovWithMomentum()
    {
        foreach (var kind in Enum.GetValues<OptimizerKind>())
            Optimizer.ValidateConfig(new OptimizerConfig { Kind = kind });
        Optimizer.ValidateConfig(new OptimizerConfig { Kind = OptimizerKind.Sgd, Momentum = 0.9, Nesterov = true });
    }

    [Fact]
    public void Names_RoundTrip_AndUnknownListsAllowed()
    {
        foreach (var kind in Enum.GetValues<OptimizerKind>())
            Assert.Equal(kind, Optimizer.ParseKind(Optimizer.ToFlag(kind)));
        Assert.Equal(OptimizerKind.AdamW, Optimizer.ParseKind("AdamW"));
        var ex = Assert.Throws<FcnLabException>(() => Optimizer.ParseKind("adagrad"));
        Assert.Contains("sgd, rmsprop, adam, adamw", ex.Message);
        Assert.Contains("adagrad", ex.Message);
    }
}
