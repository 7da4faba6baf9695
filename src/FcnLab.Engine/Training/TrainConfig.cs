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
    /// <summary>Which images the validation split takes: seeded random (default) or the last ones, as Keras's validation_split.</summary>
    [LaterSetting]
    public ValFrom ValFrom { get; init; }
    public NormalizeKind Normalize { get; init; } = NormalizeKind.Standardize;

    // Model
    /// <summary>An architecture spec or a built-in name (<see cref="ArchSpec"/>); null: the dense network of <see cref="Hidden"/> and the settings after it.</summary>
    [LaterSetting]
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
    /// <summary>Epochs of linear warmup, step by step, before the schedule (a later setting: not in <see cref="ScheduleConfig"/>, whose fields are part of older trial identities).</summary>
    [LaterSetting]
    public int WarmupEpochs { get; init; }
    public double L2 { get; init; }
    /// <summary>Label smoothing eps of the training loss (PyTorch's CrossEntropyLoss(label_smoothing=eps)); 0: plain cross-entropy.</summary>
    [LaterSetting]
    public double LabelSmoothing { get; init; }
    public double? ClipGradNorm { get; init; }
    public int Epochs { get; init; } = 20;
    public int BatchSize { get; init; } = 512;
    public bool Shuffle { get; init; } = true;
    /// <summary>Random shifts of up to 2 pixels and horizontal flips of the training images (<see cref="Data.Augmentation"/>).</summary>
    [LaterSetting]
    public bool Augment { get; init; }
    /// <summary>Padding of torchvision's RandomCrop (a random shift of up to that many pixels each way); 0: off.</summary>
    [LaterSetting]
    public int RandomCrop { get; init; }
    /// <summary>Probability of a left-right flip (RandomHorizontalFlip(p)); 0: off.</summary>
    [LaterSetting]
    public double HFlip { get; init; }
    /// <summary>Probability of erasing a random rectangle (RandomErasing(p) with its defaults); 0: off.</summary>
    [LaterSetting]
    public double RandomErasing { get; init; }
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

    /// <summary>What is done to each training image as it is drawn (<see cref="Data.Augmentation"/>).</summary>
    public ImageAugment Augmentations => new(Augment, RandomCrop, HFlip, RandomErasing);

    /// <summary>The network these settings give for a data set's input shape and class count.</summary>
    public ModelSpec ToModelSpec(int[] inputShape, int classes) => new(ToArchSpec(), inputShape, classes);

    /// <summary>The architecture these settings give: --arch's spec (or built-in name), else the dense shorthand's.</summary>
    public ArchSpec ToArchSpec() => ArchSpec.Resolve(Arch, new DenseShorthand(Hidden, Activation, LeakySlope, BatchNorm, Dropout));

    /// <summary>The defaults: what an unset setting holds.</summary>
    public static TrainConfig Defaults { get; } = new();

    /// <summary>
    /// Every train setting, declared once: flag name (YAML key), help, parsing, reading back and the rule
    /// its value keeps (<see cref="TrainSetting"/>). In the order of the flags' help; hidden before arch,
    /// since setting hidden clears arch (the dense shorthand replaces a preset's architecture).
    /// </summary>
    public static readonly IReadOnlyList<TrainSetting> Settings =
    [
        TrainSetting.Text("data", "Data set directory (holds the four IDX files or train.csv + test.csv).",
            c => c.DataDir, (c, v) => c with { DataDir = v }, required: false),
        TrainSetting.Text("dataset", "Data set name: fashion-mnist (default), mnist, or any directory name under FCNLAB_DATA.",
            c => c.Dataset, (c, v) => c with { Dataset = v }),
        TrainSetting.Of("image-shape", "Image shape of CSV data: HEIGHTxWIDTH or CHANNELSxHEIGHTxWIDTH (e.g. 28x28). Default: the square root of the pixel count.",
            (_, t) => TrainSettings.ParseShape(t), v => v is { } shape ? string.Join("x", shape) : null,
            c => c.ImageShape, (c, v) => c with { ImageShape = v },
            v => v is not { } shape || (shape.Length is 2 or 3 && shape.All(d => d >= 1)), "be HEIGHTxWIDTH or CHANNELSxHEIGHTxWIDTH with positive sizes"),
        TrainSetting.OptionalInteger("classes", "Number of classes. Default: 10 for fashion-mnist and mnist, else from the labels.",
            c => c.Classes, (c, v) => c with { Classes = v }, k => k >= 2 && k <= ImageDataset.MaxClasses, $"be from 2 to {ImageDataset.MaxClasses}"),
        TrainSetting.Of("hidden", "Hidden layer widths, e.g. 1200,2000,800; 'none' is softmax regression. Default 1200,2000,800.",
            (_, t) => TrainSettings.ParseHidden(t), v => v.Length == 0 ? "none" : string.Join(",", v),
            c => c.Hidden, (c, v) => c with { Hidden = v, Arch = null }, v => v.All(h => h >= 1), "be positive widths"),
        TrainSetting.Text("arch", $"The network as layers, e.g. \"conv(32,3,pad=1) relu maxpool(2) flatten dense(128) relu dense(10)\", or a built-in architecture: {string.Join(", ", ArchSpec.Named.Keys)}. Layers: {ArchSpec.LayerHelp}. Not with --hidden.",
            c => c.Arch, (c, v) => c with { Arch = v }),
        TrainSetting.Choice("activation", "relu (default), sigmoid, tanh or leaky-relu.", Names.Activations,
            c => c.Activation, (c, v) => c with { Activation = v }),
        TrainSetting.Single("leaky-slope", "Negative slope of leaky-relu. Default 0.01.",
            c => c.LeakySlope, (c, v) => c with { LeakySlope = v }, v => v >= 0 && float.IsFinite(v), "be a finite number >= 0"),
        TrainSetting.Switch("batch-norm", "BatchNorm1d after every hidden Linear.",
            c => c.BatchNorm, (c, v) => c with { BatchNorm = v }),
        TrainSetting.Single("dropout", "Dropout probability after every hidden activation, in [0, 1). Default 0.",
            c => c.Dropout, (c, v) => c with { Dropout = v }, v => v >= 0 && v < 1, "be in [0, 1)"),
        TrainSetting.Choice("init", "default (PyTorch's nn.Linear), normal, xavier-normal, xavier-uniform, kaiming-uniform, kaiming-normal.", Initializer.Spellings,
            c => c.Init, (c, v) => c with { Init = v }),
        TrainSetting.Number("init-std", "Standard deviation of --init normal. Default 1.",
            c => c.InitStd, (c, v) => c with { InitStd = v }, v => v > 0 && double.IsFinite(v), "be a positive number"),
        TrainSetting.Text("init-from", "Start from a saved model's weights (model.fcnlab or a run directory): fine-tuning.",
            c => c.InitFrom, (c, v) => c with { InitFrom = v }),
        // The optimizer's and the schedule's rules live with them (Optimizer.ValidateConfig, LrSchedule.ValidateConfig).
        TrainSetting.Of("optimizer", "sgd (default), rmsprop, adam or adamw.", (_, t) => Optim.Optimizer.ParseKind(t), Optim.Optimizer.ToFlag,
            c => c.Optimizer.Kind, (c, v) => c with { Optimizer = c.Optimizer with { Kind = v } }),
        TrainSetting.Number("lr", "Learning rate. Default 0.025.",
            c => c.Optimizer.Lr, (c, v) => c with { Optimizer = c.Optimizer with { Lr = v } }),
        TrainSetting.Number("momentum", "Momentum of sgd and rmsprop. Default 0.",
            c => c.Optimizer.Momentum, (c, v) => c with { Optimizer = c.Optimizer with { Momentum = v } }),
        TrainSetting.Switch("nesterov", "Nesterov momentum (sgd).",
            c => c.Optimizer.Nesterov, (c, v) => c with { Optimizer = c.Optimizer with { Nesterov = v } }),
        TrainSetting.Number("eps", "Epsilon of rmsprop, adam, adamw. Default 1e-8 (Keras used 1e-7).",
            c => c.Optimizer.Eps, (c, v) => c with { Optimizer = c.Optimizer with { Eps = v } }),
        TrainSetting.Number("weight-decay", "Weight decay with PyTorch's meaning for each optimizer (decoupled for adamw). Default 0.",
            c => c.Optimizer.WeightDecay, (c, v) => c with { Optimizer = c.Optimizer with { WeightDecay = v } }),
        TrainSetting.Number("alpha", "Smoothing constant of rmsprop. Default 0.99.",
            c => c.Optimizer.Alpha, (c, v) => c with { Optimizer = c.Optimizer with { Alpha = v } }),
        TrainSetting.Number("beta1", "Adam's beta1. Default 0.9.",
            c => c.Optimizer.Beta1, (c, v) => c with { Optimizer = c.Optimizer with { Beta1 = v } }),
        TrainSetting.Number("beta2", "Adam's beta2. Default 0.999.",
            c => c.Optimizer.Beta2, (c, v) => c with { Optimizer = c.Optimizer with { Beta2 = v } }),
        TrainSetting.Number("l2", "Adds L2/2 * sum of squared weights (not biases or batch-norm parameters) to the loss. Default 0.",
            c => c.L2, (c, v) => c with { L2 = v }, v => v >= 0 && double.IsFinite(v), "be a number >= 0"),
        TrainSetting.Number("label-smoothing", "Label smoothing eps of the training loss, as PyTorch's CrossEntropyLoss(label_smoothing=eps): the target is 1 - eps on the label plus eps/classes on every class. Validation and test losses stay plain cross-entropy. Default 0.",
            c => c.LabelSmoothing, (c, v) => c with { LabelSmoothing = v }, v => v >= 0 && v <= 1, "be in [0, 1]").AddedLater(),
        TrainSetting.OptionalNumber("clip-grad-norm", "Clip the total gradient norm to this value.",
            c => c.ClipGradNorm, (c, v) => c with { ClipGradNorm = v }, v => v > 0 && double.IsFinite(v), "be a positive number"),
        TrainSetting.Of("lr-schedule", "constant (default), step, cosine, plateau, or onecycle (PyTorch's OneCycleLR stepped every step: from lr/25 up to lr over 30% of the steps, then down to lr/25/1e4 by cosine; momentum not cycled).", (_, t) => LrSchedule.ParseKind(t), LrSchedule.ToFlag,
            c => c.Schedule.Kind, (c, v) => c with { Schedule = c.Schedule with { Kind = v } }),
        TrainSetting.Integer("warmup-epochs", "Epochs of linear warmup: the rate rises step by step from lr/(N x steps per epoch) to the schedule's, then the schedule goes on (cosine anneals over the epochs after the warmup). Not with onecycle. Default 0.",
            c => c.WarmupEpochs, (c, v) => c with { WarmupEpochs = v }, v => v >= 0, "be at least 0").AddedLater(),
        TrainSetting.Integer("lr-step-size", "Epochs between decays of the step schedule. Default 10.",
            c => c.Schedule.StepSize, (c, v) => c with { Schedule = c.Schedule with { StepSize = v } }),
        TrainSetting.Number("lr-gamma", "Decay factor of the step schedule. Default 0.1.",
            c => c.Schedule.Gamma, (c, v) => c with { Schedule = c.Schedule with { Gamma = v } }),
        TrainSetting.Number("lr-factor", "Decay factor of the plateau schedule. Default 0.1.",
            c => c.Schedule.Factor, (c, v) => c with { Schedule = c.Schedule with { Factor = v } }),
        TrainSetting.Integer("lr-plateau-patience", "Epochs without validation-loss improvement before the plateau schedule decays. Default 10.",
            c => c.Schedule.PlateauPatience, (c, v) => c with { Schedule = c.Schedule with { PlateauPatience = v } }),
        TrainSetting.Integer("epochs", "Number of epochs. Default 20.",
            c => c.Epochs, (c, v) => c with { Epochs = v }, v => v >= 1, "be at least 1"),
        TrainSetting.Integer("batch-size", "Mini-batch size. Default 512.",
            c => c.BatchSize, (c, v) => c with { BatchSize = v }, v => v >= 1, "be at least 1"),
        TrainSetting.Switch("no-shuffle", "Do not shuffle the training set each epoch.",
            c => !c.Shuffle, (c, v) => c with { Shuffle = !v }),
        TrainSetting.Switch("augment", "Augment the training images: random shifts of up to 2 pixels and horizontal flips, seeded (off by default).",
            c => c.Augment, (c, v) => c with { Augment = v }),
        TrainSetting.Integer("random-crop", "Random crop of the training images after padding them with PAD black pixels on every side, as torchvision's RandomCrop(size, padding=PAD): a shift of up to PAD pixels each way, seeded. Default 0 (off).",
            c => c.RandomCrop, (c, v) => c with { RandomCrop = v }, v => v >= 0, "be a number of pixels >= 0").AddedLater(),
        TrainSetting.Number("hflip", "Probability of flipping a training image left-right, as torchvision's RandomHorizontalFlip(p), seeded. Default 0 (off).",
            c => c.HFlip, (c, v) => c with { HFlip = v }, v => v >= 0 && v <= 1, "be a probability in [0, 1]").AddedLater(),
        TrainSetting.Number("random-erasing", "Probability of erasing a random rectangle of a training image (2-33% of its area, aspect ratio 0.3-3.3, set to 0 after normalization), as torchvision's RandomErasing(p) with its defaults, seeded. Default 0 (off).",
            c => c.RandomErasing, (c, v) => c with { RandomErasing = v }, v => v >= 0 && v <= 1, "be a probability in [0, 1]").AddedLater(),
        TrainSetting.Text("val-split", "Validation split: a fraction in (0,1), a count >= 1, or 0 for none. Default 0.1.",
            c => c.ValSplit, (c, v) => c with { ValSplit = v }),
        TrainSetting.Switch("stratify", "Keep class proportions in the validation split.",
            c => c.Stratify, (c, v) => c with { Stratify = v }),
        TrainSetting.Choice("val-from", "Which training images --val-split holds out: random (default, seeded) or last (the last ones as the files hold them, unshuffled, as Keras's validation_split; --val-split 5000 --val-from last is an ordered 55,000 / 5,000 split).",
            Data.ValSplit.FromSpellings, c => c.ValFrom, (c, v) => c with { ValFrom = v }).AddedLater(),
        TrainSetting.Choice("normalize", "standardize (default; one global mean and std from the training split), scale (x/255), none, or symmetric ([-1, 1], as torchvision's Normalize((0.5,), (0.5,)) after ToTensor()).", Normalization.Spellings,
            c => c.Normalize, (c, v) => c with { Normalize = v }),
        TrainSetting.OptionalInteger("patience", "Stop after N epochs without validation-loss improvement (implies --restore-best).",
            c => c.Patience, (c, v) => c with { Patience = v }, v => v >= 1, "be at least 1"),
        TrainSetting.Switch("restore-best", "Test the weights of the best validation loss.",
            c => c.RestoreBest, (c, v) => c with { RestoreBest = v }),
        TrainSetting.Long("seed", "Random seed. Default 1.",
            c => c.Seed, (c, v) => c with { Seed = v }),
        TrainSetting.Integer("threads", "Worker threads. Default: all cores.",
            c => c.Threads, (c, v) => c with { Threads = v }, v => v >= 1, "be at least 1"),
    ];

    /// <summary>
    /// Refuses bad values before any work, with a message that names the flag (the YAML key is the same
    /// name) and says what is allowed: each setting's own rule, then the rules between settings.
    /// </summary>
    public void Validate()
    {
        foreach (var setting in Settings)
            if (setting.Check(this) is { } message) Fail(message);
        if (Arch != null)
        {
            ToArchSpec();
            if (BatchNorm || Dropout != 0 || Activation != Activation.ReLU || LeakySlope != 0.01f)
                Fail("--batch-norm, --dropout, --activation and --leaky-slope shape the --hidden network; with --arch write batchnorm, dropout(p), relu, tanh, sigmoid or leaky-relu(slope) into the spec instead.");
        }
        if (Augment && (RandomCrop > 0 || HFlip > 0))
            Fail(AugmentWithCropOrFlip);
        var split = Data.ValSplit.Parse(ValSplit);
        if (ValFrom == ValFrom.Last && Stratify)
            Fail(Data.ValSplit.LastWithStratify);
        if (split.IsNone && Patience.HasValue) Fail("--patience needs a validation set: it cannot be combined with --val-split 0.");
        if (split.IsNone && RestoreBest) Fail("--restore-best needs a validation set: it cannot be combined with --val-split 0.");
        if (split.IsNone && Schedule.Kind == ScheduleKind.Plateau) Fail("--lr-schedule plateau needs a validation set: it cannot be combined with --val-split 0.");
        Optim.Optimizer.ValidateConfig(Optimizer);
        LrSchedule.ValidateConfig(Schedule);
        LrSchedule.ValidateWarmup(Schedule.Kind, WarmupEpochs, Epochs);
    }

    public const string AugmentWithCropOrFlip = "--augment already shifts (up to 2 pixels) and flips (probability 1/2) the training images; give either --augment or --random-crop / --hflip (--random-crop 2 --hflip 0.5 is the torchvision spelling of the same augmentation). --random-erasing goes with either.";

    private static void Fail(string message) => throw new FcnLabException(message);
}
