using System.Globalization;
using FcnLab.Engine.Data;
using FcnLab.Engine.Init;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Models;
using FcnLab.Engine.Optim;

namespace FcnLab.Engine.Training;

/// <summary>A training setting as users spell it: a flag name (YAML keys are the same names) and its help.</summary>
public sealed record SettingInfo(string Name, string Help, bool IsSwitch = false);

/// <summary>
/// The one way settings become a <see cref="TrainConfig"/>: name/value pairs from flags or YAML are
/// applied on top of a base config. Names are flag names (batch-size or batch_size); unknown names and
/// bad values are errors that say what is allowed.
/// </summary>
public static class TrainSettings
{
    public static readonly IReadOnlyList<SettingInfo> All =
    [
        new("data", "Data set directory (holds the four IDX files or train.csv + test.csv)."),
        new("dataset", "Data set name: fashion-mnist (default), mnist, or any directory name under FCNLAB_DATA."),
        new("image-shape", "Image shape of CSV data: HEIGHTxWIDTH or CHANNELSxHEIGHTxWIDTH (e.g. 28x28). Default: the square root of the pixel count."),
        new("classes", "Number of classes. Default: 10 for fashion-mnist and mnist, else from the labels."),
        new("arch", $"The network as layers, e.g. \"conv(32,3,pad=1) relu maxpool(2) flatten dense(128) relu dense(10)\", or a built-in architecture: {string.Join(", ", ArchSpec.Named.Keys)}. Layers: {ArchSpec.LayerHelp}. Not with --hidden."),
        new("hidden", "Hidden layer widths, e.g. 1200,2000,800; 'none' is softmax regression. Default 1200,2000,800."),
        new("activation", "relu (default), sigmoid, tanh or leaky-relu."),
        new("leaky-slope", "Negative slope of leaky-relu. Default 0.01."),
        new("batch-norm", "BatchNorm1d after every hidden Linear.", IsSwitch: true),
        new("dropout", "Dropout probability after every hidden activation, in [0, 1). Default 0."),
        new("init", "default (PyTorch's nn.Linear), normal, xavier-normal, xavier-uniform, kaiming-uniform, kaiming-normal."),
        new("init-std", "Standard deviation of --init normal. Default 1."),
        new("init-from", "Start from a saved model's weights (model.fcnlab or a run directory): fine-tuning."),
        new("optimizer", "sgd (default), rmsprop, adam or adamw."),
        new("lr", "Learning rate. Default 0.025."),
        new("momentum", "Momentum of sgd and rmsprop. Default 0."),
        new("nesterov", "Nesterov momentum (sgd).", IsSwitch: true),
        new("eps", "Epsilon of rmsprop, adam, adamw. Default 1e-8 (Keras used 1e-7)."),
        new("weight-decay", "Weight decay with PyTorch's meaning for each optimizer (decoupled for adamw). Default 0."),
        new("alpha", "Smoothing constant of rmsprop. Default 0.99."),
        new("beta1", "Adam's beta1. Default 0.9."),
        new("beta2", "Adam's beta2. Default 0.999."),
        new("l2", "Adds L2/2 * sum of squared weights (not biases or batch-norm parameters) to the loss. Default 0."),
        new("clip-grad-norm", "Clip the total gradient norm to this value."),
        new("lr-schedule", "constant (default), step, cosine or plateau."),
        new("lr-step-size", "Epochs between decays of the step schedule. Default 10."),
        new("lr-gamma", "Decay factor of the step schedule. Default 0.1."),
        new("lr-factor", "Decay factor of the plateau schedule. Default 0.1."),
        new("lr-plateau-patience", "Epochs without validation-loss improvement before the plateau schedule decays. Default 10."),
        new("epochs", "Number of epochs. Default 20."),
        new("batch-size", "Mini-batch size. Default 512."),
        new("no-shuffle", "Do not shuffle the training set each epoch.", IsSwitch: true),
        new("augment", "Augment the training images: random shifts of up to 2 pixels and horizontal flips, seeded (off by default).", IsSwitch: true),
        new("val-split", "Validation split: a fraction in (0,1), a count >= 1, or 0 for none. Default 0.1."),
        new("stratify", "Keep class proportions in the validation split.", IsSwitch: true),
        new("normalize", "standardize (default; one global mean and std from the training split), scale (x/255) or none."),
        new("patience", "Stop after N epochs without validation-loss improvement (implies --restore-best)."),
        new("restore-best", "Test the weights of the best validation loss.", IsSwitch: true),
        new("seed", "Random seed. Default 1."),
        new("threads", "Worker threads. Default: all cores."),
    ];

    private static readonly Dictionary<string, SettingInfo> ByName = All.ToDictionary(s => s.Name);

    /// <summary>Canonical setting name: lower case, underscores as dashes, no leading dashes.</summary>
    public static string Canonical(string name) => name.Trim().TrimStart('-').Replace('_', '-').ToLowerInvariant();

    public static bool IsKnown(string name) => ByName.ContainsKey(Canonical(name));

    public static TrainConfig Apply(TrainConfig config, IEnumerable<KeyValuePair<string, string>> settings)
    {
        var c = config;
        foreach (var (rawName, rawValue) in settings)
        {
            string name = Canonical(rawName);
            if (!ByName.ContainsKey(name))
                throw new FcnLabException($"Unknown setting '{rawName}'. Known settings: {string.Join(", ", All.Select(s => s.Name))}.");
            string v = rawValue.Trim();
            try
            {
                c = ApplyOne(c, name, v);
            }
            catch (FcnLabException e) when (!e.Message.Contains("--" + name, StringComparison.Ordinal))
            {
                // The shared parsers (optimizer, activation, ...) do not know which flag they serve: say it.
                throw new FcnLabException($"--{name}: {e.Message}", e);
            }
        }
        return c;
    }

    private static TrainConfig ApplyOne(TrainConfig c, string name, string v) =>
        name switch
        {
            "data" => c with { DataDir = v },
            "dataset" => c with { Dataset = NonEmpty(name, v) },
            "image-shape" => c with { ImageShape = ParseShape(v) },
            "classes" => c with { Classes = Integer(name, v) },
            "arch" => c with { Arch = NonEmpty(name, v) },
            // The dense shorthand replaces an architecture set earlier (by a preset, say).
            "hidden" => c with { Hidden = ParseHidden(v), Arch = null },
            "activation" => c with { Activation = Names.ParseActivation(v) },
            "leaky-slope" => c with { LeakySlope = (float)Number(name, v) },
            "batch-norm" => c with { BatchNorm = Bool(name, v) },
            "dropout" => c with { Dropout = (float)Number(name, v) },
            "init" => c with { Init = Initializer.Parse(v) },
            "init-std" => c with { InitStd = Number(name, v) },
            "init-from" => c with { InitFrom = NonEmpty(name, v) },
            "optimizer" => c with { Optimizer = c.Optimizer with { Kind = Optimizer.ParseKind(v) } },
            "lr" => c with { Optimizer = c.Optimizer with { Lr = Number(name, v) } },
            "momentum" => c with { Optimizer = c.Optimizer with { Momentum = Number(name, v) } },
            "nesterov" => c with { Optimizer = c.Optimizer with { Nesterov = Bool(name, v) } },
            "eps" => c with { Optimizer = c.Optimizer with { Eps = Number(name, v) } },
            "weight-decay" => c with { Optimizer = c.Optimizer with { WeightDecay = Number(name, v) } },
            "alpha" => c with { Optimizer = c.Optimizer with { Alpha = Number(name, v) } },
            "beta1" => c with { Optimizer = c.Optimizer with { Beta1 = Number(name, v) } },
            "beta2" => c with { Optimizer = c.Optimizer with { Beta2 = Number(name, v) } },
            "l2" => c with { L2 = Number(name, v) },
            "clip-grad-norm" => c with { ClipGradNorm = Number(name, v) },
            "lr-schedule" => c with { Schedule = c.Schedule with { Kind = LrSchedule.ParseKind(v) } },
            "lr-step-size" => c with { Schedule = c.Schedule with { StepSize = Integer(name, v) } },
            "lr-gamma" => c with { Schedule = c.Schedule with { Gamma = Number(name, v) } },
            "lr-factor" => c with { Schedule = c.Schedule with { Factor = Number(name, v) } },
            "lr-plateau-patience" => c with { Schedule = c.Schedule with { PlateauPatience = Integer(name, v) } },
            "epochs" => c with { Epochs = Integer(name, v) },
            "batch-size" => c with { BatchSize = Integer(name, v) },
            "no-shuffle" => c with { Shuffle = !Bool(name, v) },
            "augment" => c with { Augment = Bool(name, v) },
            "val-split" => c with { ValSplit = NonEmpty(name, v) },
            "stratify" => c with { Stratify = Bool(name, v) },
            "normalize" => c with { Normalize = Normalization.ParseKind(v) },
            "patience" => c with { Patience = Integer(name, v) },
            "restore-best" => c with { RestoreBest = Bool(name, v) },
            "seed" => c with { Seed = Long(name, v) },
            "threads" => c with { Threads = Integer(name, v) },
            _ => throw new InvalidOperationException($"Setting {name} has no parser."),
        };

    /// <summary>
    /// The inverse of <see cref="Apply"/>: every setting of <paramref name="c"/> as name/value strings
    /// (settings that are null are left out), so Apply(new TrainConfig(), ToSettings(c)) gives c back
    /// exactly (numbers in round-trip form). Checkpoints store their config this way. Preset is not a
    /// setting; callers keep it themselves.
    /// </summary>
    public static List<KeyValuePair<string, string>> ToSettings(TrainConfig c)
    {
        var s = new List<KeyValuePair<string, string>>();
        void Add(string name, string? value)
        {
            if (value != null) s.Add(new(name, value));
        }
        static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
        static string B(bool v) => v ? "true" : "false";
        Add("data", c.DataDir);
        Add("dataset", c.Dataset);
        Add("image-shape", c.ImageShape is { } shape ? string.Join("x", shape) : null);
        Add("classes", c.Classes is { } k ? I(k) : null);
        Add("hidden", c.Hidden.Length == 0 ? "none" : string.Join(",", c.Hidden));
        Add("arch", c.Arch); // after hidden, which clears it
        Add("activation", Names.Activation(c.Activation));
        Add("leaky-slope", R(c.LeakySlope)); // float -> double is exact, and so is the way back
        Add("batch-norm", B(c.BatchNorm));
        Add("dropout", R(c.Dropout));
        Add("init", Initializer.ToFlag(c.Init));
        Add("init-std", R(c.InitStd));
        Add("init-from", c.InitFrom);
        Add("optimizer", Optimizer.ToFlag(c.Optimizer.Kind));
        Add("lr", R(c.Optimizer.Lr));
        Add("momentum", R(c.Optimizer.Momentum));
        Add("nesterov", B(c.Optimizer.Nesterov));
        Add("eps", R(c.Optimizer.Eps));
        Add("weight-decay", R(c.Optimizer.WeightDecay));
        Add("alpha", R(c.Optimizer.Alpha));
        Add("beta1", R(c.Optimizer.Beta1));
        Add("beta2", R(c.Optimizer.Beta2));
        Add("l2", R(c.L2));
        Add("clip-grad-norm", c.ClipGradNorm is { } clip ? R(clip) : null);
        Add("lr-schedule", LrSchedule.ToFlag(c.Schedule.Kind));
        Add("lr-step-size", I(c.Schedule.StepSize));
        Add("lr-gamma", R(c.Schedule.Gamma));
        Add("lr-factor", R(c.Schedule.Factor));
        Add("lr-plateau-patience", I(c.Schedule.PlateauPatience));
        Add("epochs", I(c.Epochs));
        Add("batch-size", I(c.BatchSize));
        Add("no-shuffle", B(!c.Shuffle));
        Add("augment", B(c.Augment));
        Add("val-split", c.ValSplit);
        Add("stratify", B(c.Stratify));
        Add("normalize", Normalization.Name(c.Normalize));
        Add("patience", c.Patience is { } p ? I(p) : null);
        Add("restore-best", B(c.RestoreBest));
        Add("seed", I(c.Seed));
        Add("threads", I(c.Threads));
        return s;
    }

    /// <summary>"1200,2000,800" (also with spaces or brackets), or "none"/"" for no hidden layer.</summary>
    public static int[] ParseHidden(string v)
    {
        string s = v.Trim().Trim('[', ']').Trim();
        if (s.Length == 0 || s.Equals("none", StringComparison.OrdinalIgnoreCase)) return [];
        var parts = s.Split(',', StringSplitOptions.TrimEntries);
        var widths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out widths[i]) || widths[i] < 1)
                throw new FcnLabException($"--hidden '{v}' is not a list of positive integers: '{parts[i]}' is not a width. Example: --hidden 1200,2000,800, or --hidden none for softmax regression.");
        return widths;
    }

    /// <summary>"28x28", "1x28x28" (also with commas).</summary>
    public static int[] ParseShape(string v)
    {
        var parts = v.Trim().Trim('[', ']').Split(['x', 'X', ','], StringSplitOptions.TrimEntries);
        var dims = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]) || dims[i] < 1)
                throw new FcnLabException($"--image-shape '{v}' is not a shape: write HEIGHTxWIDTH or CHANNELSxHEIGHTxWIDTH, e.g. 28x28.");
        return dims;
    }

    private static string NonEmpty(string name, string v) =>
        v.Length > 0 ? v : throw new FcnLabException($"--{name} needs a value.");

    private static double Number(string name, string v)
    {
        if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) || !double.IsFinite(d))
            throw new FcnLabException($"--{name} must be a number (got '{v}').");
        return d;
    }

    private static int Integer(string name, string v)
    {
        if (!int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i))
            throw new FcnLabException($"--{name} must be a whole number (got '{v}').");
        return i;
    }

    private static long Long(string name, string v)
    {
        if (!long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long i))
            throw new FcnLabException($"--{name} must be a whole number (got '{v}').");
        return i;
    }

    private static bool Bool(string name, string v) => v.ToLowerInvariant() switch
    {
        "" or "true" or "yes" or "on" or "1" => true,
        "false" or "no" or "off" or "0" => false,
        _ => throw new FcnLabException($"--{name} is a switch: true or false (got '{v}')."),
    };
}
