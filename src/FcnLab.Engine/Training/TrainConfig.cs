using FcnLab.Engine.Data;
using FcnLab.Engine.Init;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Models;
using FcnLab.Engine.Optim;

namespace FcnLab.Engine.Training;

/// <summary>
/// Everything that decides a training run, fully resolved. Defaults are the first study's baseline:
/// 784-1200-2000-800-10, ReLU, SGD lr 0.025, 20 epochs, batch 512, 90/10 split, standardized input.
/// Immutable: flags or YAML are parsed into it, the engine only reads it, config.json records it.
/// </summary>
public sealed record TrainConfig
{
    // Data
    public string Dataset { get; init; } = "fashion-mnist";
    public string? DataDir { get; init; }
    /// <summary>Image shape of CSV data ([channels,] height, width); null: the square root of the pixel count.</summary>
    public int[]? ImageShape { get; init; }
    /// <summary>Class count; null: 10 for fashion-mnist and mnist, else from the labels.</summary>
    public int? Classes { get; init; }
    public string ValSplit { get; init; } = "0.1";
    public bool Stratify { get; init; }
    public NormalizeKind Normalize { get; init; } = NormalizeKind.Standardize;

    // Model
    /// <summary>An architecture spec or a built-in name (<see cref="ArchSpec"/>); null: the dense network of <see cref="Hidden"/> and the settings after it.</summary>
    public string? Arch { get; init; }
    public int[] Hidden { get; init; } = [1200, 2000, 800];
    public Activation Activation { get; init; } = Activation.ReLU;
    public float LeakySlope { get; init; } = 0.01f;
    public bool BatchNorm { get; init; }
    public float Dropout { get; init; }
    public InitScheme Init { get; init; } = InitScheme.Default;
    public double InitStd { get; init; } = 1.0;
    public string? InitFrom { get; init; }

    // Optimization
    public OptimizerConfig Optimizer { get; init; } = new();
    public ScheduleConfig Schedule { get; init; } = new();
    public double L2 { get; init; }
    public double? ClipGradNorm { get; init; }
    public int Epochs { get; init; } = 20;
    public int BatchSize { get; init; } = 512;
    public bool Shuffle { get; init; } = true;
    /// <summary>Random shifts of up to 2 pixels and horizontal flips of the training images (<see cref="Data.Augmentation"/>).</summary>
    public bool Augment { get; init; }
    public int? Patience { get; init; }
    public bool RestoreBest { get; init; }

    // Reproducibility and resources
    public long Seed { get; init; } = 1;
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>The preset this config started from, if any (recorded, not used by the engine).</summary>
    public string? Preset { get; init; }

    /// <summary>True when the best-validation-loss weights are the ones tested (--restore-best, implied by --patience).</summary>
    public bool RestoresBest => RestoreBest || Patience.HasValue;

    public DataOptions DataOptions => new(Dataset, DataDir, ImageShape, Classes);

    /// <summary>The network these settings give for a data set's input shape and class count.</summary>
    public ModelSpec ToModelSpec(int[] inputShape, int classes) => new(ToArchSpec(), inputShape, classes);

    /// <summary>The architecture these settings give: --arch's spec (or built-in name), else the dense shorthand's.</summary>
    public ArchSpec ToArchSpec() => ArchSpec.Resolve(Arch, new DenseShorthand(Hidden, Activation, LeakySlope, BatchNorm, Dropout));

    /// <summary>Refuses bad values before any work, with a message that says what is allowed.</summary>
    public void Validate()
    {
        if (Classes is { } k && (k < 2 || k > ImageDataset.MaxClasses)) Fail($"--classes must be from 2 to {ImageDataset.MaxClasses} (got {k}).");
        if (ImageShape is { } shape && (shape.Length is < 2 or > 3 || shape.Any(d => d < 1)))
            Fail($"--image-shape must be HEIGHTxWIDTH or CHANNELSxHEIGHTxWIDTH with positive sizes (got {string.Join("x", shape)}).");
        if (Epochs < 1) Fail($"--epochs must be at least 1 (got {Epochs}).");
        if (BatchSize < 1) Fail($"--batch-size must be at least 1 (got {BatchSize}).");
        if (Threads < 1) Fail($"--threads must be at least 1 (got {Threads}).");
        foreach (int h in Hidden)
            if (h < 1) Fail($"--hidden widths must be positive integers (got {h}).");
        if (!(Dropout >= 0 && Dropout < 1)) Fail($"--dropout must be in [0, 1) (got {Dropout}).");
        if (!(LeakySlope >= 0) || float.IsInfinity(LeakySlope)) Fail($"--leaky-slope must be a finite number >= 0 (got {LeakySlope}).");
        if (Arch != null)
        {
            ToArchSpec();
            if (BatchNorm || Dropout != 0 || Activation != Activation.ReLU || LeakySlope != 0.01f)
                Fail("--batch-norm, --dropout, --activation and --leaky-slope shape the --hidden network; with --arch write batchnorm, dropout(p), relu, tanh, sigmoid or leaky-relu(slope) into the spec instead.");
        }
        if (!(InitStd > 0) || double.IsInfinity(InitStd)) Fail($"--init-std must be a positive number (got {InitStd}).");
        if (!(L2 >= 0) || double.IsInfinity(L2)) Fail($"--l2 must be a number >= 0 (got {L2}).");
        if (ClipGradNorm is { } c && !(c > 0 && !double.IsInfinity(c))) Fail($"--clip-grad-norm must be a positive number (got {c}).");
        if (Patience is { } p && p < 1) Fail($"--patience must be at least 1 (got {p}).");
        var split = Data.ValSplit.Parse(ValSplit);
        if (split.IsNone && Patience.HasValue) Fail("--patience needs a validation set: it cannot be combined with --val-split 0.");
        if (split.IsNone && RestoreBest) Fail("--restore-best needs a validation set: it cannot be combined with --val-split 0.");
        if (split.IsNone && Schedule.Kind == ScheduleKind.Plateau) Fail("--lr-schedule plateau needs a validation set: it cannot be combined with --val-split 0.");
        Optim.Optimizer.ValidateConfig(Optimizer);
        LrSchedule.ValidateConfig(Schedule);
    }

    private static void Fail(string message) => throw new FcnLabException(message);
}
