using System.Collections;
using System.Reflection;
using FcnLab.Engine.Data;
using FcnLab.Engine.Models;
using FcnLab.Engine.Optim;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using FcnLab.Engine.Tests.IO;
using FcnLab.Engine.Training;

namespace FcnLab.Engine.Tests.Training;

public class CheckpointTests
{
    /// <summary>
    /// Every settable property of TrainConfig (and of its nested optimizer and schedule records), set
    /// to a value other than its default, survives the trip through a checkpoint. A property added
    /// later and forgotten by TrainSettings.ToSettings fails here.
    /// </summary>
    [Fact]
    public void EveryTrainConfigProperty_RoundTripsThroughTheCheckpoint()
    {
        var cases = new List<(string Name, TrainConfig Config)>();
        foreach (var property in Settable(typeof(TrainConfig)))
        {
            object defaults = new TrainConfig();
            if (property.PropertyType == typeof(OptimizerConfig) || property.PropertyType == typeof(ScheduleConfig))
            {
                foreach (var inner in Settable(property.PropertyType))
                {
                    object nested = Clone(property.GetValue(defaults)!);
                    inner.SetValue(nested, OtherValue(inner.PropertyType, inner.GetValue(nested), $"{property.Name}.{inner.Name}"));
                    var config = (TrainConfig)Clone(defaults);
                    property.SetValue(config, nested);
                    cases.Add(($"{property.Name}.{inner.Name}", config));
                }
                continue;
            }
            var changed = (TrainConfig)Clone(defaults);
            property.SetValue(changed, OtherValue(property.PropertyType, property.GetValue(changed), property.Name));
            cases.Add((property.Name, changed));
        }
        Assert.True(cases.Count >= 35, $"only {cases.Count} properties found");
        cases.Add(("Hidden none", new TrainConfig { Hidden = [] }));

        foreach (var (name, config) in cases)
        {
            var back = Checkpoint.Parse(Sample(config).Serialize(), "c").Config;
            Assert.True(DeepEqual(config, back), $"{name} did not round-trip");
            Assert.False(DeepEqual(new TrainConfig(), back) && name != "Hidden none", $"{name}: the test value equals the default");
        }
    }

    private static IEnumerable<PropertyInfo> Settable(Type t) =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true } && p.Name != "EqualityContract");

    private static object Clone(object record) =>
        record.GetType().GetMethod("<Clone>$")!.Invoke(record, null)!;

    /// <summary>A value of <paramref name="type"/> that differs from <paramref name="current"/> and is awkward to print (0.1 is not exact in binary).</summary>
    private static object OtherValue(Type type, object? current, string name)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(string)) return "custom-" + name.ToLowerInvariant();
        if (t == typeof(bool)) return !(bool)(current ?? false);
        if (t == typeof(int)) return (int)(current ?? 0) + 3;
        if (t == typeof(long)) return (long)(current ?? 0L) + 1234567890123L;
        if (t == typeof(double)) return (double)(current ?? 0.0) + 0.1;
        if (t == typeof(float)) return (float)(current ?? 0f) + 0.1f;
        if (t == typeof(int[])) return new[] { 3, 5, 7 };
        if (t.IsEnum)
        {
            var values = Enum.GetValues(t);
            return values.GetValue((Array.IndexOf(values, current) + 1) % values.Length)!;
        }
        throw new InvalidOperationException($"No test value for {name} of type {type}: extend OtherValue (and TrainSettings.ToSettings) for it.");
    }

    private static bool DeepEqual(object? a, object? b)
    {
        if (a is null || b is null) return a is null && b is null;
        if (a is int[] x && b is int[] y) return x.SequenceEqual(y);
        if (a is OptimizerConfig or ScheduleConfig or TrainConfig)
            return Settable(a.GetType()).All(p => DeepEqual(p.GetValue(a), p.GetValue(b)));
        return a.Equals(b);
    }

    private static Checkpoint Sample(TrainConfig config, double bestValLoss = double.PositiveInfinity)
    {
        var generators = RunGenerators.Seeded(7);
        generators.Split.NextUInt64();
        for (int i = 0; i < 3; i++) generators.Dropout.NextUInt64();
        var state = new TrainingState
        {
            Status = RunStatus.Running,
            EpochsDone = 2,
            InEpoch = true,
            Step = 3,
            LossSum = Math.PI * 1e5,
            CorrectSum = 77,
            Seen = 96,
            EpochSeconds = 1.25,
            OptimizerSteps = 123,
            Schedule = new LrScheduleState { Lr = 0.1 / 3, LastEpoch = 2, PlateauLr = 0.05, Best = double.PositiveInfinity, NumBadEpochs = 1 },
            Generators = generators,
            EarlyStopping = new EarlyStopping { BestValLoss = bestValLoss, EpochsSinceBest = 1 },
            Metrics = [new EpochMetrics(1, 1.0 / 3, 0.5, null, null, 0.1, 0.001), new EpochMetrics(2, 2.0 / 3, 0.75, 0.4, 0.8, 0.1 / 3, 2.5)],
            Order = [3, 0, 2, 1],
            StartedAt = "2025-01-02T03:04:05Z",
            Resumes = [new ResumeRecord(2, 5, 9, 4, "2025-01-03T00:00:00Z")],
        };
        return new()
        {
            Config = config,
            Normalization = new Normalization(NormalizeKind.Standardize, 72.94f / 3, 90.1f),
            Data = new DataFingerprint([1, 2, 2], 3, 4, 1, 2, new string('a', 64)),
            State = state,
            Tensors = [("parameters", new[] { 1f / 3, -2f, float.Epsilon, float.MaxValue }), ("optimizer/exp_avg", new[] { 0.5f, 0f, -0f, 7f }), ("empty", Array.Empty<float>())],
        };
    }

    private static ulong[][] Words(RunGenerators g) => [g.Split.GetState(), g.Init.GetState(), g.Shuffle.GetState(), g.Dropout.GetState(), g.Augment.GetState()];

    [Fact]
    public void Serialize_Parse_RestoresEveryField()
    {
        var original = Sample(new TrainConfig { Epochs = 9, Preset = "fast", ClipGradNorm = 0.3 });
        var back = Checkpoint.Parse(original.Serialize(), "c");
        Assert.True(DeepEqual(original.Config, back.Config));
        Assert.Equal("fast", back.Config.Preset);
        Assert.Equal(original.Normalization, back.Normalization);
        Assert.True(original.Data.Matches(back.Data));
        var (a, b) = (original.State, back.State);
        Assert.Equal((a.Status, a.EpochsDone, a.InEpoch, a.Step, a.LossSum, a.CorrectSum, a.Seen, a.EpochSeconds, a.DivergedEpoch, a.DivergedStep, a.OptimizerSteps),
            (b.Status, b.EpochsDone, b.InEpoch, b.Step, b.LossSum, b.CorrectSum, b.Seen, b.EpochSeconds, b.DivergedEpoch, b.DivergedStep, b.OptimizerSteps));
        var (s, t) = (a.Schedule, b.Schedule);
        Assert.Equal((s.Lr, s.LastEpoch, s.PlateauLr, s.Best, s.NumBadEpochs, s.CooldownCounter), (t.Lr, t.LastEpoch, t.PlateauLr, t.Best, t.NumBadEpochs, t.CooldownCounter));
        Assert.Equal(Words(a.Generators), Words(b.Generators));
        Assert.Equal((a.EarlyStopping.BestValLoss, a.EarlyStopping.EpochsSinceBest), (b.EarlyStopping.BestValLoss, b.EarlyStopping.EpochsSinceBest));
        Assert.Equal(a.Metrics, b.Metrics);
        Assert.Equal(original.Tensors.Select(x => (x.Name, x.Values.ToArray())), back.Tensors.Select(x => (x.Name, x.Values.ToArray())));
        Assert.Equal(a.Order, b.Order);
        Assert.Equal(a.StartedAt, b.StartedAt);
        Assert.Equal(a.Resumes, b.Resumes);
        Assert.Equal(original.Serialize(), back.Serialize());
        Assert.Equal(double.NegativeInfinity, Checkpoint.Parse(Sample(new TrainConfig(), double.NegativeInfinity).Serialize(), "c").State.EarlyStopping.BestValLoss);
    }

    [Fact]
    public void AGeneratorTheCheckpointLacks_StartsFromTheSeed()
    {
        // Checkpoints from before --augment have no such generator: its runs never drew from it.
        var original = Sample(new TrainConfig());
        byte[] bytes = SealedFiles.EditHeader(original.Serialize(), @",\s*""augment"": \[[^\]]*\]", "");
        var back = Checkpoint.Parse(bytes, "c").State.Generators;
        back.SeedMissing(7);
        Assert.Equal(RunGenerators.Seeded(7).Augment.GetState(), back.Augment.GetState());
        Assert.Equal(original.State.Generators.Dropout.GetState(), back.Dropout.GetState());
        Assert.Contains("unknown generator 'noise'", Assert.Throws<FcnLabException>(() => Checkpoint.Parse(
            SealedFiles.EditHeader(original.Serialize(), @"""augment"": \[", @"""noise"": ["), "c")).Message);
    }

    [Fact]
    public void CorruptCheckpoints_AreRefusedWithClearMessages()
    {
        var good = Sample(new TrainConfig()).Serialize();
        string Error(byte[] bytes) => Assert.Throws<FcnLabException>(() => Checkpoint.Parse(bytes, "run/checkpoint.fcnlab")).Message;

        var flipped = (byte[])good.Clone();
        flipped[good.Length / 2] ^= 1;
        Assert.Contains("checksum does not match", Error(flipped));
        Assert.Contains("checksum does not match", Error(good[..^10]));
        Assert.Contains("truncated", Error(good[..20]));
        Assert.Contains("magic number", Error("PK\u0003\u0004 zip file"u8.ToArray()));
        Assert.Contains("magic number", Error([]));
        var future = (byte[])good.Clone();
        future[8] = 9;
        Assert.Contains("format version 9", Error(future));
        foreach (var message in new[] { Error(flipped), Error(future) })
            Assert.StartsWith("'run/checkpoint.fcnlab' is not a valid FcnLab checkpoint file", message);

        using var pool = new WorkerPool(1);
        var spec = new ModelSpec(ArchSpec.Parse("dense(classes)"), [4], 2);
        var model = ModelFile.Serialize(spec, Normalization.Identity, ["a", "b"], NetworkBuilder.Build(spec, pool, new Rng(1)));
        Assert.Contains("is a model file", Error(model));
    }
}
