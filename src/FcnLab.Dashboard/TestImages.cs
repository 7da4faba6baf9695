using System.Collections.Concurrent;
using System.Text.Json;
using FcnLab.Engine;
using FcnLab.Engine.Data;
using FcnLab.Lab.Reports;

namespace FcnLab.Dashboard;

/// <summary>
/// The test images a run trained against, read from the data directory its resolved settings recorded (Dataset,
/// DataDir, ImageShape, Classes in config JSON), for the misclassified-images grid. Loaded once per data set and kept;
/// null, with the reason, when the data is not on this machine.
/// </summary>
internal sealed class TestImages
{
    private readonly ConcurrentDictionary<DataOptions, Lazy<(ReportImages? Images, string? Why)>> _loaded = new(new OptionsComparer());

    public (ReportImages? Images, string? Why) For(string configJson)
    {
        DataOptions options;
        try
        {
            using var doc = JsonDocument.Parse(configJson);
            var root = doc.RootElement;
            string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            int[]? shape = root.TryGetProperty("ImageShape", out var s) && s.ValueKind == JsonValueKind.Array ? [.. s.EnumerateArray().Select(e => e.GetInt32())] : null;
            int? classes = root.TryGetProperty("Classes", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt32() : null;
            options = new DataOptions(Text("Dataset") ?? "fashion-mnist", Text("DataDir"), shape, classes);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return (null, "the run's settings do not name its data set");
        }
        var loaded = _loaded.GetOrAdd(options, o => new Lazy<(ReportImages?, string?)>(() => Load(o))).Value;
        if (loaded.Images == null) _loaded.TryRemove(options, out _); // the data may be put in place later
        return loaded;
    }

    private static (ReportImages?, string?) Load(DataOptions options)
    {
        try
        {
            var data = DatasetCatalog.Load(options);
            return (new ReportImages(data.Test, data.ImageShape, data.ClassNames), null);
        }
        catch (Exception e) when (e is FcnLabException or IOException or UnauthorizedAccessException)
        {
            return (null, e.Message);
        }
    }

    /// <summary>Data options compared by value (the record's array member compares by reference).</summary>
    private sealed class OptionsComparer : IEqualityComparer<DataOptions>
    {
        private static string Key(DataOptions o) => $"{o.Dataset}\u0000{o.DataDir}\u0000{string.Join(",", o.ImageShape ?? [])}\u0000{o.Classes}";
        public bool Equals(DataOptions? x, DataOptions? y) => x != null && y != null && Key(x) == Key(y);
        public int GetHashCode(DataOptions o) => StringComparer.Ordinal.GetHashCode(Key(o));
    }
}
