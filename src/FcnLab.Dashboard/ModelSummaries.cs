using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using FcnLab.Engine;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Models;
using FcnLab.Engine.Training;

namespace FcnLab.Dashboard;

/// <summary>
/// The model summary of a run (layers, output shapes, parameters, FLOPs), rebuilt from the architecture settings its
/// stored config records (Arch, Hidden, Activation, LeakySlope, BatchNorm, Dropout) through <see cref="TrainConfig"/>,
/// as `fcnlab summary` does; nothing is trained. The input shape comes from the recorded ImageShape, else the data
/// set's known shape (fashion-mnist, mnist: 1x28x28), else the run's test images on this machine; the class count from
/// the recorded Classes, else the run's class names. Kept per architecture: a live page asks every second.
/// </summary>
internal sealed class ModelSummaries
{
    private readonly ConcurrentDictionary<string, (ModelSummary? Summary, string? Why)> _built = new(StringComparer.Ordinal);

    /// <returns>The summary, or null with the reason it cannot be drawn.</returns>
    public (ModelSummary? Summary, string? Why) For(string configJson, IReadOnlyList<string>? classNames, TestImages images)
    {
        TrainConfig config;
        int[]? shape;
        int? classes;
        string dataset;
        try
        {
            using var doc = JsonDocument.Parse(configJson);
            var root = doc.RootElement;
            var d = TrainConfig.Defaults;
            string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            // Canonical settings JSON writes floats as "R" strings (TrialIdentity); accept numbers too.
            float Float(string name, float fallback) => root.TryGetProperty(name, out var v)
                ? v.ValueKind == JsonValueKind.Number ? v.GetSingle() : float.Parse(v.GetString() ?? "", NumberStyles.Float, CultureInfo.InvariantCulture)
                : fallback;
            config = d with
            {
                Arch = Text("Arch"),
                Hidden = root.TryGetProperty("Hidden", out var h) ? [.. h.EnumerateArray().Select(e => e.GetInt32())] : d.Hidden, // not an array: an error
                Activation = Text("Activation") is { } a ? Enum.Parse<Activation>(a) : d.Activation,
                LeakySlope = Float("LeakySlope", d.LeakySlope),
                BatchNorm = root.TryGetProperty("BatchNorm", out var b) ? b.GetBoolean() : d.BatchNorm,
                Dropout = Float("Dropout", d.Dropout),
            };
            shape = root.TryGetProperty("ImageShape", out var s) && s.ValueKind == JsonValueKind.Array ? [.. s.EnumerateArray().Select(e => e.GetInt32())] : null;
            classes = root.TryGetProperty("Classes", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt32() : null;
            dataset = Text("Dataset") ?? d.Dataset;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException or OverflowException)
        {
            return (null, "the run's settings do not describe its network");
        }

        if (shape is { Length: 2 } hw) shape = [1, .. hw];
        if (shape == null && dataset is "fashion-mnist" or "mnist") shape = [1, 28, 28];
        classes ??= classNames is { Count: > 0 } ? classNames.Count : dataset is "fashion-mnist" or "mnist" ? 10 : null;
        if (shape == null || classes == null)
        {
            var (loaded, why) = images.For(configJson);
            if (loaded == null) return (null, $"the settings do not record the input shape or class count, and the run's data cannot be read here ({why})");
            shape ??= [.. loaded.Shape];
            classes ??= loaded.ClassNames.Count;
        }

        string key = $"{config.Arch}\u0000{string.Join(",", config.Hidden)}\u0000{config.Activation}\u0000{config.LeakySlope.ToString("R", CultureInfo.InvariantCulture)}\u0000{config.BatchNorm}\u0000{config.Dropout.ToString("R", CultureInfo.InvariantCulture)}\u0000{string.Join(",", shape)}\u0000{classes}";
        return _built.GetOrAdd(key, _ =>
        {
            try
            {
                return (ModelSummary.Of(config.ToModelSpec(shape, classes.Value)), null);
            }
            catch (FcnLabException e)
            {
                return (null, e.Message);
            }
        });
    }
}
