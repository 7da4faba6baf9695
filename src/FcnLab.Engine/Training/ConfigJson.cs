using System.Text.Json;
using System.Text.Json.Serialization;
using FcnLab.Engine.Data;
using FcnLab.Engine.Init;
using FcnLab.Engine.Models;
using FcnLab.Engine.Optim;

namespace FcnLab.Engine.Training;

/// <summary>
/// config.json as written: every resolved setting (the data set's as loaded), the split's counts, the
/// host and the run's start and resumes. Keys fixed before settings were declared in one place are
/// properties here; settings declared since (<see cref="TrainSetting.Later"/>) follow, by their YAML
/// key, only when set.
/// </summary>
internal sealed record ConfigJson
{
    public required string FcnlabVersion { get; init; }
    public required string? Preset { get; init; }
    public required string Dataset { get; init; }
    public required string DataDir { get; init; }
    public required int[] ImageShape { get; init; }
    public required int Classes { get; init; }
    public required string ValSplit { get; init; }
    public required bool Stratify { get; init; }
    public required string Normalize { get; init; }
    public required string? Arch { get; init; }
    public required int[] Hidden { get; init; }
    public required string Activation { get; init; }
    public required float LeakySlope { get; init; }
    public required bool BatchNorm { get; init; }
    public required float Dropout { get; init; }
    public required string Init { get; init; }
    public required double InitStd { get; init; }
    public required string? InitFrom { get; init; }
    public required string Optimizer { get; init; }
    public required double Lr { get; init; }
    public required double Momentum { get; init; }
    public required bool Nesterov { get; init; }
    public required double Eps { get; init; }
    public required double WeightDecay { get; init; }
    public required double Alpha { get; init; }
    public required double Beta1 { get; init; }
    public required double Beta2 { get; init; }
    public required string LrSchedule { get; init; }
    public required int LrStepSize { get; init; }
    public required double LrGamma { get; init; }
    public required double LrFactor { get; init; }
    public required int LrPlateauPatience { get; init; }
    public required double L2 { get; init; }
    public required double? ClipGradNorm { get; init; }
    public required int Epochs { get; init; }
    public required int BatchSize { get; init; }
    public required bool Shuffle { get; init; }
    public required bool Augment { get; init; }
    public required int? Patience { get; init; }
    public required bool RestoreBest { get; init; }
    public required long Seed { get; init; }
    public required int Threads { get; init; }
    public required int TrainCount { get; init; }
    public required int ValCount { get; init; }
    public required int TestCount { get; init; }
    public required string Host { get; init; }
    public required string? StartedAt { get; init; }
    public required IReadOnlyList<ResumeRecord> Resumes { get; init; }

    /// <summary>The later settings that are set, by YAML key; null when none is (written after the keys above).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? LaterSettings { get; set; }

    public static ConfigJson Of(TrainConfig c, ImageDataset data, int trainCount, int valCount, string? startedAt, IReadOnlyList<ResumeRecord> resumes)
    {
        var later = TrainSettings.All.Where(s => s.Later && !s.IsDefault(c)).ToDictionary(s => s.Key, s => Value(s.Read(c)));
        return new()
        {
            FcnlabVersion = RunDirectory.Version, Preset = c.Preset, Dataset = c.Dataset, DataDir = data.Directory, ImageShape = data.ImageShape,
            Classes = data.Classes, ValSplit = c.ValSplit, Stratify = c.Stratify, Normalize = Normalization.Name(c.Normalize),
            Arch = c.Arch, Hidden = c.Hidden, Activation = Names.Activation(c.Activation), LeakySlope = c.LeakySlope, BatchNorm = c.BatchNorm,
            Dropout = c.Dropout, Init = Initializer.ToFlag(c.Init), InitStd = c.InitStd, InitFrom = c.InitFrom,
            Optimizer = Optim.Optimizer.ToFlag(c.Optimizer.Kind), Lr = c.Optimizer.Lr, Momentum = c.Optimizer.Momentum, Nesterov = c.Optimizer.Nesterov,
            Eps = c.Optimizer.Eps, WeightDecay = c.Optimizer.WeightDecay, Alpha = c.Optimizer.Alpha, Beta1 = c.Optimizer.Beta1, Beta2 = c.Optimizer.Beta2,
            LrSchedule = Optim.LrSchedule.ToFlag(c.Schedule.Kind), LrStepSize = c.Schedule.StepSize, LrGamma = c.Schedule.Gamma,
            LrFactor = c.Schedule.Factor, LrPlateauPatience = c.Schedule.PlateauPatience, L2 = c.L2, ClipGradNorm = SummaryJson.Finite(c.ClipGradNorm),
            Epochs = c.Epochs, BatchSize = c.BatchSize, Shuffle = c.Shuffle, Augment = c.Augment, Patience = c.Patience, RestoreBest = c.RestoresBest,
            Seed = c.Seed, Threads = c.Threads, TrainCount = trainCount, ValCount = valCount, TestCount = data.Test.Count,
            Host = Environment.MachineName, StartedAt = startedAt, Resumes = resumes,
            LaterSettings = later.Count > 0 ? later : null,
        };
    }

    /// <summary>A setting's text as JSON: a number or true/false as such (the round-trip text kept), else a string.</summary>
    private static JsonElement Value(string? text)
    {
        if (text is "true" or "false" || double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _))
            return JsonDocument.Parse(text!).RootElement.Clone();
        return JsonSerializer.SerializeToElement(text, RunFilesJson.Default.String);
    }
}
