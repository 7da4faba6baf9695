using System.Text.Json;
using FcnLab.Engine.Data;
using FcnLab.Engine.Tests.Frozen;
using FcnLab.Engine.Training;

namespace FcnLab.Cli.Tests.Frozen;

/// <summary>
/// config.json and summary.json as today's serializer writes them are byte for byte the files the code
/// before issue 13 wrote into the saved runs (Fixtures/model-files), but for the machine's name and the
/// data directory's path: the frozen run tests compare these files token by token, this one their bytes.
/// </summary>
public class FrozenRunFileBytesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fcnlab-run-file-bytes-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }

    private static string SavedRun(string name) => FrozenFixture.Folder("FcnLab.Cli.Tests", ["model-files", name, "run"]);

    /// <summary>The text with the values of the keys that name this machine or a path replaced.</summary>
    private static string Portable(string json) => string.Join("\n", json.Split('\n').Select(line =>
        line.StartsWith("  \"host\": ", StringComparison.Ordinal) ? "  \"host\": HOST," :
        line.StartsWith("  \"data_dir\": ", StringComparison.Ordinal) ? "  \"data_dir\": DATA," : line));

    [Theory]
    [MemberData(nameof(FrozenFileFormatTests.CaseNames), MemberType = typeof(FrozenFileFormatTests))]
    public void ConfigJson_IsByteIdentical(string name)
    {
        string saved = SavedRun(name);
        var checkpoint = Checkpoint.Load(saved);
        using var old = JsonDocument.Parse(File.ReadAllText(Path.Combine(saved, "config.json")));
        string data = FrozenData.Write(FrozenData.ByName(FrozenFileFormatTests.Cases[name].Data), Path.Combine(_root, "data"));
        var dataset = DatasetCatalog.Load(new DataOptions("tiny", data));
        var config = checkpoint.Config with { Threads = old.RootElement.GetProperty("threads").GetInt32() };
        string run = Directory.CreateDirectory(Path.Combine(_root, "run")).FullName;
        RunDirectory.WriteConfig(run, config, dataset, old.RootElement.GetProperty("train_count").GetInt32(), old.RootElement.GetProperty("val_count").GetInt32(),
            checkpoint.State.StartedAt, checkpoint.State.Resumes);
        Assert.Equal(Portable(File.ReadAllText(Path.Combine(saved, "config.json"))), Portable(File.ReadAllText(Path.Combine(run, "config.json"))));
    }

    [Theory]
    [MemberData(nameof(FrozenFileFormatTests.CaseNames), MemberType = typeof(FrozenFileFormatTests))]
    public void SummaryJson_IsByteIdentical(string name)
    {
        string path = Path.Combine(SavedRun(name), "summary.json");
        if (!File.Exists(path)) return; // interrupted before the end: no summary yet
        var s = JsonDocument.Parse(File.ReadAllText(path)).RootElement;
        double? D(string key) => s.GetProperty(key).ValueKind == JsonValueKind.Null ? null : s.GetProperty(key).GetDouble();
        int? I(string key) => s.GetProperty(key).ValueKind == JsonValueKind.Null ? null : s.GetProperty(key).GetInt32();
        var summary = new RunSummary
        {
            Status = RunStatus.Completed, TestAccuracy = D("test_accuracy"), TestLoss = D("test_loss"), StartValAccuracy = D("start_val_accuracy"),
            BestValAccuracy = D("best_val_accuracy"), BestValEpoch = I("best_val_epoch"), LowestTrainLoss = D("lowest_train_loss"),
            LowestTrainLossEpoch = I("lowest_train_loss_epoch"), EpochsRun = I("epochs_run")!.Value, DivergedEpoch = I("diverged_epoch"),
            DivergedStep = I("diverged_step"), TrainSeconds = D("train_seconds")!.Value, SecondsPerEpoch = D("seconds_per_epoch")!.Value,
            Parameters = s.GetProperty("parameters").GetInt64(),
        };
        Assert.Equal("completed", s.GetProperty("status").GetString());
        Assert.Equal(File.ReadAllText(path), RunDirectory.SummaryText(summary));
    }
}
