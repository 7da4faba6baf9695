using FcnLab.Engine.Optim;
using FcnLab.Engine.Tests.Layers;

namespace FcnLab.Engine.Tests.Optim;

public class LrScheduleTests
{
    private static void AssertLr(double expected, double actual, int epoch) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-12 * Math.Max(1, Math.Abs(expected)), $"epoch {epoch}: expected {expected:R}, got {actual:R}");

    /// <summary>Runs a schedule for the given epochs (val losses optional) and collects the lr of each epoch.</summary>
    private static double[] Run(LrSchedule schedule, int epochs, double[]? valLosses = null)
    {
        var lrs = new double[epochs];
        for (int e = 1; e <= epochs; e++)
        {
            lrs[e - 1] = schedule.LrForEpoch(e);
            schedule.EpochEnded(e, valLosses?[e - 1]);
        }
        return lrs;
    }

    [Fact]
    public void Constant_KeepsTheBaseRate()
    {
        var lrs = Run(LrSchedule.Create(new ScheduleConfig(), 0.025, 5), 5);
        Assert.All(lrs, lr => Assert.Equal(0.025, lr));
    }

    [Fact]
    public void Step_MatchesStepLR()
    {
        // StepLR(step_size=3, gamma=0.5) stepped once per epoch.
        var schedule = LrSchedule.Create(new ScheduleConfig { Kind = ScheduleKind.Step, StepSize = 3, Gamma = 0.5 }, 0.1, 10);
        double[] expected = [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125];
        var lrs = Run(schedule, 10);
        for (int i = 0; i < expected.Length; i++) AssertLr(expected[i], lrs[i], i + 1);
    }

    [Fact]
    public void Cosine_MatchesCosineAnnealingLR()
    {
        // CosineAnnealingLR(T_max=4, eta_min=0) from lr 0.1.
        var schedule = LrSchedule.Create(new ScheduleConfig { Kind = ScheduleKind.Cosine }, 0.1, 4);
        double[] expected = [0.1, 0.08535533905932738, 0.05, 0.014644660940672627];
        var lrs = Run(schedule, 4);
        for (int i = 0; i < expected.Length; i++) AssertLr(expected[i], lrs[i], i + 1);
    }

    [Fact]
    public void Plateau_MatchesReduceLROnPlateau()
    {
        // ReduceLROnPlateau(factor=0.5, patience=1, threshold=1e-4 rel): 0.89995 is not below
        // 0.9*(1-1e-4) = 0.89991, so it counts as no improvement; 0.8999 does improve.
        var schedule = LrSchedule.Create(new ScheduleConfig { Kind = ScheduleKind.Plateau, Factor = 0.5, PlateauPatience = 1 }, 1.0, 9);
        Assert.True(schedule.RequiresValidation);
        double[] losses = [1.0, 0.9, 0.95, 0.95, 0.89995, 0.89995, 0.8999, 0.9, 0.9];
        double[] expected = [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.25];
        var lrs = Run(schedule, 9, losses);
        for (int i = 0; i < expected.Length; i++) AssertLr(expected[i], lrs[i], i + 1);
        Assert.Equal(0.125, schedule.LrForEpoch(10)); // the 2nd bad epoch after the 0.8999 improvement
    }

    [Fact]
    public void Plateau_PatienceZero_ReducesOnEveryEpochWithoutImprovement()
    {
        var schedule = LrSchedule.Create(new ScheduleConfig { Kind = ScheduleKind.Plateau, Factor = 0.1, PlateauPatience = 0 }, 1.0, 4);
        var lrs = Run(schedule, 4, [2.0, 2.0, 1.0, 1.0]);
        double[] expected = [1.0, 1.0, 0.1, 0.1];
        for (int i = 0; i < expected.Length; i++) AssertLr(expected[i], lrs[i], i + 1);
        AssertLr(0.01, schedule.LrForEpoch(5), 5);
    }

    [Fact]
    public void Plateau_WithoutValidationLoss_SaysWhatIsNeeded()
    {
        var schedule = LrSchedule.Create(new ScheduleConfig { Kind = ScheduleKind.Plateau }, 0.1, 3);
        var ex = Assert.Throws<FcnLabException>(() => schedule.EpochEnded(1, null));
        Assert.Contains("validation", ex.Message);
        Assert.False(LrSchedule.Create(new ScheduleConfig { Kind = ScheduleKind.Cosine }, 0.1, 3).RequiresValidation);
    }

    [Fact]
    public void State_RoundTrips_AndResumesIdentically()
    {
        var config = new ScheduleConfig { Kind = ScheduleKind.Plateau, Factor = 0.5, PlateauPatience = 1 };
        double[] losses = [1.0, 0.9, 0.95, 0.95, 0.89995, 0.89995, 0.8999];
        var full = LrSchedule.Create(config, 1.0, 7);
        var expected = Run(full, 7, losses);

        // The schedule works on its state in place: a schedule made with the state another left goes on as that one would.
        var state = LrScheduleState.Start(1.0);
        var before = LrSchedule.Create(config, 1.0, 7, state);
        for (int e = 1; e <= 3; e++) before.EpochEnded(e, losses[e - 1]);
        var resumed = LrSchedule.Create(config, 1.0, 7, state);
        Assert.Equal(3, resumed.LastEpoch);
        for (int e = 4; e <= 7; e++)
        {
            Assert.Equal(expected[e - 1], resumed.LrForEpoch(e));
            resumed.EpochEnded(e, losses[e - 1]);
        }
        Assert.Equal(expected[6], resumed.BeginEpoch(7));
        Assert.Equal(expected[6], state.Lr);
        Assert.Throws<FcnLabException>(() => LrSchedule.Create(config, 1.0, 7, new LrScheduleState { LastEpoch = -1 }));
        Assert.Throws<FcnLabException>(() => LrSchedule.Create(config, 1.0, 7, new LrScheduleState { Lr = double.NaN }));
    }

    [Theory]
    [InlineData("--lr-step-size", ScheduleKind.Step, 0, 0.1, 0.1, 10)]
    [InlineData("--lr-gamma", ScheduleKind.Step, 5, 0.0, 0.1, 10)]
    [InlineData("--lr-factor", ScheduleKind.Plateau, 5, 0.1, 1.0, 10)]
    [InlineData("--lr-factor", ScheduleKind.Plateau, 5, 0.1, 0.0, 10)]
    [InlineData("--lr-plateau-patience", ScheduleKind.Plateau, 5, 0.1, 0.5, -1)]
    // Settings the chosen kind does not use are checked too: never-valid values are refused, not ignored.
    [InlineData("--lr-step-size", ScheduleKind.Constant, 0, 0.1, 0.1, 10)]
    [InlineData("--lr-factor", ScheduleKind.Step, 5, 0.1, 1.0, 10)]
    public void ValidateConfig_RefusesBadSettings_NamingThem(string setting, ScheduleKind kind, int stepSize, double gamma, double factor, int patience)
    {
        var config = new ScheduleConfig { Kind = kind, StepSize = stepSize, Gamma = gamma, Factor = factor, PlateauPatience = patience };
        var ex = Assert.Throws<FcnLabException>(() => LrSchedule.ValidateConfig(config));
        Assert.Contains(setting, ex.Message);
        Assert.Throws<FcnLabException>(() => LrSchedule.Create(config, 0.1, 10));
    }

    [Fact]
    public void Create_RefusesBadBaseLrAndEpochs()
    {
        Assert.Contains("lr", Assert.Throws<FcnLabException>(() => LrSchedule.Create(new ScheduleConfig(), 0, 10)).Message);
        Assert.Contains("epochs", Assert.Throws<FcnLabException>(() => LrSchedule.Create(new ScheduleConfig(), 0.1, 0)).Message);
    }

    [Fact]
    public void Names_RoundTrip_AndUnknownListsAllowed()
    {
        foreach (var kind in Enum.GetValues<ScheduleKind>())
            Assert.Equal(kind, LrSchedule.ParseKind(LrSchedule.ToFlag(kind)));
        var ex = Assert.Throws<FcnLabException>(() => LrSchedule.ParseKind("exponential"));
        Assert.Contains("constant, step, cosine, plateau, onecycle", ex.Message);
    }

    /// <summary>PyTorch 1.13's rates, step by step (lr-schedule-vectors.json, made by make-lr-schedule-vectors.py).</summary>
    private static IEnumerable<System.Text.Json.JsonElement> Vectors(string kind) =>
        LayerTestKit.ReadCases("lr-schedule-vectors.json").EnumerateArray().Where(c => c.GetProperty("kind").GetString() == kind);

    [Fact]
    public void OneCycle_MatchesOneCycleLR_StepByStep()
    {
        var cases = Vectors("onecycle").ToList();
        Assert.Equal(4, cases.Count);
        foreach (var c in cases)
        {
            double lr = c.GetProperty("lr").GetDouble();
            int epochs = c.GetProperty("epochs").GetInt32(), steps = c.GetProperty("steps_per_epoch").GetInt32();
            var expected = c.GetProperty("rates").EnumerateArray().Select(r => r.GetDouble()).ToArray();
            Assert.Equal(epochs * steps, expected.Length);
            var schedule = LrSchedule.Create(new ScheduleConfig { Kind = ScheduleKind.OneCycle }, lr, epochs);
            Assert.True(schedule.PerStep);
            for (int e = 1; e <= epochs; e++)
            {
                schedule.BeginEpoch(e);
                for (int s = 0; s < steps; s++)
                    AssertLr(expected[(e - 1) * steps + s], schedule.BeginStep(e, s, steps), e);
                schedule.EpochEnded(e, null);
            }
        }
    }

    [Fact]
    public void Warmup_IsLinearLR_StepByStep_ThenTheEpochsRate()
    {
        foreach (var c in Vectors("linear-warmup"))
        {
            // W warmup steps = one warmup epoch of W steps; PyTorch's LinearLR holds the base rate after them, as constant does.
            int warmup = c.GetProperty("warmup_steps").GetInt32();
            var expected = c.GetProperty("rates").EnumerateArray().Select(r => r.GetDouble()).ToArray();
            var schedule = LrSchedule.Create(new ScheduleConfig(), 1.0, 3, warmupEpochs: 1);
            for (int t = 0; t < expected.Length; t++)
                AssertLr(expected[t], schedule.BeginStep(1 + t / warmup, t % warmup, warmup), 1 + t / warmup);
        }
    }

    [Fact]
    public void Warmup_ThenCosine_AnnealsOverTheEpochsAfterIt()
    {
        // 2 warmup epochs of 4 steps, then cosine over epochs 3..6 (T_max 4): epoch e's rate 0.1 (1 + cos(pi (e - 3) / 4)) / 2.
        var schedule = LrSchedule.Create(new ScheduleConfig { Kind = ScheduleKind.Cosine }, 0.1, 6, warmupEpochs: 2);
        for (int e = 1; e <= 6; e++)
        {
            schedule.BeginEpoch(e);
            for (int s = 0; s < 4; s++)
            {
                double epochRate = 0.1 * (1 + Math.Cos(Math.PI * Math.Max(0, e - 3) / 4)) / 2;
                double warm = Math.Min(1.0, ((e - 1) * 4 + s + 1) / 8.0);
                AssertLr(epochRate * warm, schedule.BeginStep(e, s, 4), e);
            }
            schedule.EpochEnded(e, null);
        }
        // Without a warmup, cosine and the epoch-wise kinds keep one rate per epoch.
        var plain = LrSchedule.Create(new ScheduleConfig { Kind = ScheduleKind.Cosine }, 0.1, 6);
        Assert.False(plain.PerStep);
        Assert.Equal(plain.BeginEpoch(2), plain.BeginStep(2, 3, 4));
    }

    [Theory]
    [InlineData(ScheduleKind.OneCycle, 1, 10, "does not go with --lr-schedule onecycle")]
    [InlineData(ScheduleKind.Cosine, 10, 10, "must be fewer than --epochs (10)")]
    [InlineData(ScheduleKind.Constant, -1, 10, "--warmup-epochs must be >= 0")]
    public void Warmup_BadCombinations_AreRefused(ScheduleKind kind, int warmup, int epochs, string message)
    {
        var ex = Assert.Throws<FcnLabException>(() => LrSchedule.Create(new ScheduleConfig { Kind = kind }, 0.1, epochs, warmupEpochs: warmup));
        Assert.Contains(message, ex.Message);
    }
}
