using FcnLab.Engine.Data;

namespace FcnLab.Lab.Runs;

/// <summary>The data sets a sweep or worker has loaded, so trials on the same data share one copy.</summary>
internal sealed class DatasetCache(Func<DataOptions, ImageDataset> load)
{
    private readonly Dictionary<string, ImageDataset> _loaded = [];

    public ImageDataset Load(DataOptions o)
    {
        string key = $"{o.Dataset}|{o.DataDir}|{(o.ImageShape == null ? "" : string.Join("x", o.ImageShape))}|{o.Classes}";
        if (!_loaded.TryGetValue(key, out var dataset))
        {
            dataset = load(o);
            _loaded[key] = dataset;
        }
        return dataset;
    }
}
