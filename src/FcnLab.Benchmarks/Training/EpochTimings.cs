using System.Globalization;
using FcnLab.Engine;
using FcnLab.Engine.Data;
using FcnLab.Engine.Training;

namespace FcnLab.Benchmarks.Training;

/// <summary>Seconds per epoch of whole trainings, as `fcnlab bench` and bench/compare.sh report them.</summary>
public static class EpochTimings
{
    /// <summary>The networks timed, as presets (null: the default network; lenet5: --arch lenet5, Adam, batch 128; cnn: --arch cnn, Adam, cosine, batch 128).</summary>
    public static readonly IReadOnlyList<(string Name, string? Preset)> Networks = [("default", null), ("bn-adam", "bn-adam"), ("lenet5", "lenet5"), ("cnn", "cnn")];

    /// <summary>
    /// FashionMNIST from <paramref name="dataDir"/>, else from the usual places; when no directory was
    /// given and none is found, synthetic data of the same shape, with the reason.
    /// </summary>
    public static BenchData LoadData(string? dataDir)
    {
        try
        {
            return new BenchData(DatasetCatalog.Load(new DataOptions("fashion-mnist", dataDir)), null);
        }
        catch (FcnLabException e) when (dataDir == null)
        {
            return new BenchData(SyntheticData.Create(), e.Message.Split('\n')[0]);
        }
    }

    /// <summary>Trains <paramref name="preset"/> (null: the default network) for <paramref name="epochs"/> in a scratch run directory, deleted after.</summary>
    public static EpochTiming Measure(string name, string? preset, ImageDataset data, int epochs, int threads)
    {
        var inv = CultureInfo.InvariantCulture;
        var config = Presets.Resolve(new TrainConfig(), preset, [new("epochs", epochs.ToString(inv)), new("threads", threads.ToString(inv))]);
        string root = Directory.CreateTempSubdirectory("fcnlab-bench-").FullName;
        try
        {
            var result = Trainer.Run(config, data, Path.Combine(root, name), NullObserver.Instance);
            return new EpochTiming(name, data.Directory, threads, result.Summary.SecondsPerEpoch, [.. result.Epochs.Select(e => e.Seconds)]);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
