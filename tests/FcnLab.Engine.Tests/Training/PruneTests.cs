using System.Text.Json;
using FcnLab.Engine.Data;
using FcnLab.Engine.Tests.Data;
using FcnLab.Engine.Training;

namespace FcnLab.Engine.Tests.Training;

/// <summary>
/// A search's pruner reaches the loop through <see cref="ITrainingObserver.PruneAfter"/>: asked after every epoch but the
/// last, a reason ends the run pruned, tested with the weights it was stopped with (even under --restore-best).
/// </summary>
public class PruneTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fcnlab-prune-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }

    private ImageDataset Data() =>
        DatasetCatalog.Load(new DataOptions("tiny", IdxTestFiles.WriteDataset(Path.Combine(_root, "data"), 400, 100, 8, 8, 4, seed: 3)));

    private static TrainConfig Config(int epochs, bool restoreBest) =>
        TrainSettings.Apply(new TrainConfig { Hidden = [16], Epochs = epochs, BatchSize = 32, Threads = 1 }, new Dictionary<string, string> { ["restore-best"] = restoreBest ? "true" : "false" });

    /// <summary>Prunes at <paramref name="at"/> (null: never) and notes every epoch it was asked about.</summary>
    private sealed class PruneAt(int? at) : ITrainingObserver
    {
        public List<int> Asked { get; } = [];

        public string? PruneAfter(EpochMetrics metrics)
        {
            Asked.Add(metrics.Epoch);
            return metrics.Epoch == at ? $"pruned at epoch {at}: below the rung" : null;
        }
    }

    [Fact]
    public void APrunedRun_StopsAtItsEpoch_AndIsTestedWithItsLastWeights()
    {
        var data = Data();
        var pruner = new PruneAt(2);
        string pruned = Path.Combine(_root, "pruned"), straight = Path.Combine(_root, "straight");
        var result = Trainer.Run(Config(5, restoreBest: true), data, pruned, pruner);
        Assert.Equal([1, 2], pruner.Asked);
        Assert.Equal(RunStatus.Pruned, result.Summary.Status);
        Assert.Equal(2, result.Summary.EpochsRun);
        Assert.Equal(2, result.Epochs.Count);
        Assert.Equal("pruned at epoch 2: below the rung", result.Summary.PruneReason);
        using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(pruned, "summary.json"))))
        {
            Assert.Equal("pruned", summary.RootElement.GetProperty("status").GetString());
            Assert.Equal("pruned at epoch 2: below the rung", summary.RootElement.GetProperty("prune_reason").GetString());
            Assert.Equal("last", summary.RootElement.GetProperty("test_weights").GetString());
        }
        // The same two epochs trained as a whole run (a constant rate: the total does not matter) end with the same weights.
        var whole = Trainer.Run(Config(2, restoreBest: false), data, straight, NullObserver.Instance);
        Assert.Equal(whole.Test!.Loss, result.Test!.Loss);
        Assert.Equal(File.ReadAllBytes(Path.Combine(straight, "model.fcnlab")), File.ReadAllBytes(Path.Combine(pruned, "model.fcnlab")));
        Assert.True(Checkpoint.Load(pruned).IsFinished);
        var e = Assert.Throws<FcnLabException>(() => Trainer.Resume(pruned, data, NullObserver.Instance));
        Assert.Contains("'pruned', which cannot be resumed", e.Message);
    }

    [Fact]
    public void ARunNotPruned_IsAskedAfterEveryEpochButTheLast_AndWritesNoPruneFields()
    {
        var pruner = new PruneAt(null);
        string dir = Path.Combine(_root, "kept");
        var result = Trainer.Run(Config(3, restoreBest: false), Data(), dir, pruner);
        Assert.Equal([1, 2], pruner.Asked);
        Assert.Equal((RunStatus.Completed, 3), (result.Summary.Status, result.Summary.EpochsRun));
        Assert.Null(result.Summary.PruneReason);
        string json = File.ReadAllText(Path.Combine(dir, "summary.json"));
        Assert.DoesNotContain("prune_reason", json);
        Assert.DoesNotContain("test_weights", json);
    }
}
