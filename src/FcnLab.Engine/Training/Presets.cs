namespace FcnLab.Engine.Training;

/// <summary>A named recipe: settings applied before the explicit flags, which override them.</summary>
public sealed record Preset(string Name, string Description, IReadOnlyList<KeyValuePair<string, string>> Settings);

/// <summary>The built-in recipes (<c>--preset NAME</c>).</summary>
public static class Presets
{
    public static readonly IReadOnlyList<Preset> All =
    [
        new("baseline", "The first study's baseline (the defaults): 1200-2000-800 ReLU, SGD lr 0.025, 20 epochs, batch 512.", []),
        new("adam", "The first study's best optimizer: the baseline network with Adam lr 0.001, 20 epochs.",
            [new("optimizer", "adam"), new("lr", "0.001")]),
        new("bn-adam", "The first study's best configuration (its Table 6, 90.55%): 1000-2000-1000-1000 with batch norm, Adam lr 0.0001, 50 epochs.",
            [new("hidden", "1000,2000,1000,1000"), new("batch-norm", "true"), new("optimizer", "adam"), new("lr", "0.0001"), new("epochs", "50")]),
        new("fast", "At least 90% FashionMNIST test accuracy in under a minute of training on 2 cores: 1024-1024 with batch norm and dropout 0.2, Adam lr 0.002 annealed by a cosine schedule over 12 epochs, batch 256.",
            [new("hidden", "1024,1024"), new("batch-norm", "true"), new("dropout", "0.2"), new("optimizer", "adam"), new("lr", "0.002"),
             new("lr-schedule", "cosine"), new("epochs", "12"), new("batch-size", "256")]),
        new("lenet5", "LeNet-5 (--arch lenet5: 6 and 16 channels of 5x5, max pooling, 120-84-10, ReLU), Adam lr 0.001, batch 128, 15 epochs.",
            [new("arch", "lenet5"), new("optimizer", "adam"), new("lr", "0.001"), new("batch-size", "128"), new("epochs", "15")]),
        new("cnn", "A small modern CNN (--arch cnn: 3x3 convolutions of 32 and 64 channels with batch norm and max pooling, dense 128 with dropout 0.3), Adam lr 0.002 annealed by a cosine schedule over 15 epochs, batch 128: >= 92% FashionMNIST test accuracy.",
            [new("arch", "cnn"), new("optimizer", "adam"), new("lr", "0.002"), new("lr-schedule", "cosine"), new("batch-size", "128"), new("epochs", "15")]),
    ];

    public static Preset Get(string name) =>
        All.FirstOrDefault(p => p.Name.Equals(name.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new FcnLabException($"Unknown preset '{name}'. Known presets: {string.Join(", ", All.Select(p => p.Name))}.");

    /// <summary>The preset's settings, then the explicit ones on top; the result records the preset's name.</summary>
    public static TrainConfig Resolve(TrainConfig defaults, string? preset, IEnumerable<KeyValuePair<string, string>> explicitSettings)
    {
        var names = explicitSettings.Select(s => TrainSettings.Canonical(s.Key)).ToHashSet();
        if (names.Contains("hidden") && names.Contains("arch"))
            throw new FcnLabException("--hidden and --arch both name the network; give one: --arch for layers or a built-in architecture, --hidden for the dense shorthand.");
        var config = defaults;
        if (preset != null)
        {
            var p = Get(preset);
            config = TrainSettings.Apply(config, p.Settings) with { Preset = p.Name };
        }
        return TrainSettings.Apply(config, explicitSettings);
    }
}
