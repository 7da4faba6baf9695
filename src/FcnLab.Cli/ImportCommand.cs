using FcnLab.Engine.Random;
using FcnLab.Interop.SafeTensors;

namespace FcnLab.Cli;

/// <summary>fcnlab import: a PyTorch nn.Sequential's state_dict (safetensors) -> model.fcnlab.</summary>
public static class ImportCommand
{
    /// <summary>The train settings import shares: the architecture, and the data set it may take shape, classes and normalization from.</summary>
    private static readonly string[] Settings =
        ["arch", "hidden", "activation", "leaky-slope", "batch-norm", "dropout", "data", "dataset", "image-shape", "classes", "normalize", "val-split", "stratify", "seed"];

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("import",
            "Import the weights of a PyTorch nn.Sequential (its state_dict saved as safetensors) into a model file for eval and train --init-from.");
        var from = new Option<string>("--from") { Description = "The .safetensors file. A sidecar FILE.json next to it (as export writes) may supply the architecture (its layers, when neither --arch nor --hidden is given), input shape, normalization and class names.", Required = true, HelpName = "file" };
        var output = new Option<string>("--out") { Description = "The model file to write (a directory: model.fcnlab in it).", Required = true, HelpName = "file" };
        var inputShape = new Option<string>("--input-shape") { Description = "One sample as the first layer takes it: C,H,W (e.g. 1,28,28) for images, FEATURES for a network that starts with dense. Default: the data set's, else the sidecar's.", HelpName = "shape" };
        var mean = new Option<string>("--input-mean") { Description = "transforms.Normalize's mean: subtracted after pixels are scaled to [0, 1]. With --input-std.", HelpName = "m" };
        var std = new Option<string>("--input-std") { Description = "transforms.Normalize's std: divides after the mean is subtracted. With --input-mean.", HelpName = "s" };
        var settings = new SettingOptions(command, TrainSettings.All.Where(s => Settings.Contains(s.Name)),
            new Dictionary<string, string>
            {
                ["normalize"] = "standardize fits on --data's training split as train does; scale or none need no data",
                ["hidden"] = "no default: the weights' network is --arch, --hidden or the sidecar's layers",
            });
        foreach (var o in new Option[] { from, output, inputShape, mean, std }) command.Options.Add(o);
        command.SetAction(parse => Execute(parse.GetValue(from)!, parse.GetValue(output)!, parse.GetValue(inputShape), parse.GetValue(mean), parse.GetValue(std),
            settings.Given(parse), stdout));
        return command;
    }

    public static int Execute(string from, string outPath, string? inputShapeText, string? meanText, string? stdText,
        List<KeyValuePair<string, string>> given, TextWriter stdout)
    {
        bool Given(string name) => given.Any(g => g.Key == name);
        // Without --arch or --hidden the architecture comes from the sidecar's layers (torch.nn modules).
        bool fromLayers = !Given("arch") && !Given("hidden");
        var config = TrainSettings.Apply(new TrainConfig(), given);
        config.Validate();

        var (tensors, _) = SafeTensorsFile.Read(from);
        string sidecarPath = SafeTensorsSidecar.PathFor(from);
        var sidecar = File.Exists(sidecarPath) ? SafeTensorsSidecar.Read(sidecarPath) : null;
        if (fromLayers && sidecar?.Layers is not { Count: > 0 })
            throw new FcnLabException("import needs the network the weights belong to: --arch SPEC (e.g. \"flatten dense(128) relu dense(10)\"), the dense shorthand --hidden W,W,... with --activation and --batch-norm as the model has them, "
                + $"or a sidecar '{sidecarPath}' with \"layers\": the nn.Sequential's modules as PyTorch prints them ([repr(m) for m in model]).");
        var data = Given("data") || Given("dataset") ? DatasetCatalog.Load(config.DataOptions) : null;

        int[] inputShape = (inputShapeText != null ? ParseInputShape(inputShapeText) : null)
            ?? data?.ImageShape
            ?? sidecar?.FcnLabInputShape
            ?? sidecar?.InputShape
            ?? throw new FcnLabException("import needs the input shape: give --input-shape (e.g. 1,28,28, or 784 for a network that starts with dense), or --data with the data set, or a sidecar with input_shape.");
        int classes = config.Classes ?? data?.Classes ?? sidecar?.ClassNames?.Count ?? SafeTensorsImporter.InferClasses(tensors)
            ?? throw new FcnLabException($"'{from}' has no Linear weight to take the class count from; give --classes.");
        string[] classNames = data != null && data.Classes == classes ? data.ClassNames
            : sidecar?.ClassNames is { } names && names.Count == classes ? [.. names]
            : ImageDataset.DefaultClassNames(config.Dataset, classes);
        var normalization = ResolveNormalization(config, data, sidecar, meanText, stdText, Given("normalize"));

        ModelSpec spec;
        if (fromLayers && sidecar!.FcnLabArch is { } arch)
        {
            // Written by export for networks torch.nn's reprs cannot build (res blocks, gap): FcnLab's own text.
            spec = new ModelSpec(ArchSpec.Resolve(arch, shorthand: null), inputShape, classes);
            NetworkBuilder.Validate(spec);
        }
        else if (fromLayers)
        {
            spec = PyTorchLayerParser.ToModelSpec(sidecar!.Layers!, inputShape, classes);
        }
        else
        {
            spec = config.ToModelSpec(inputShape, classes);
            NetworkBuilder.Validate(spec);
        }
        string target = Directory.Exists(outPath) ? Path.Combine(outPath, "model.fcnlab") : outPath;
        SafeTensorsImporter.Import(tensors, from, spec, normalization, classNames, target,
            fromLayers ? SafeTensorsImporter.ArchSource.SidecarLayers : SafeTensorsImporter.ArchSource.Flags);

        stdout.WriteLine($"imported {from} ({tensors.Count} tensors) -> {target}");
        string model = spec.Arch.Shorthand is { } dense ? $"dense {dense.Describe(spec.InputFeatures, spec.Classes)}" : spec.Arch.Text;
        stdout.WriteLine($"  model: {model}{(fromLayers ? (sidecar!.FcnLabArch != null ? " (from the sidecar's arch)" : " (from the sidecar's layers)") : "")}, input [{string.Join(", ", spec.InputShape)}], {classes} classes");
        stdout.WriteLine(FormattableString.Invariant($"  normalization: {Normalization.Name(normalization.Kind)} (x - {normalization.Mean:G6}) / {normalization.Std:G6} on 0..255 pixels"));
        return ExitCodes.Success;
    }

    /// <summary>--input-mean/--input-std, else --normalize (standardize fitted on --data), else the sidecar's, else standardize fitted on --data.</summary>
    private static Normalization ResolveNormalization(TrainConfig config, ImageDataset? data, SafeTensorsSidecar? sidecar, string? meanText, string? stdText, bool normalizeGiven)
    {
        if ((meanText == null) != (stdText == null))
            throw new FcnLabException("--input-mean and --input-std go together: give both (transforms.Normalize's mean and std, on pixels scaled to [0, 1]).");
        if (meanText != null)
        {
            if (normalizeGiven) throw new FcnLabException("Give either --normalize or --input-mean with --input-std, not both.");
            return SafeTensorsSidecar.FromUnitScale(Number("--input-mean", meanText), Number("--input-std", stdText!));
        }
        if (!normalizeGiven && sidecar?.FcnLabNormalization() is { } fromSidecar) return fromSidecar;
        if (Normalization.Fixed(config.Normalize) is { } fixedKind) return fixedKind;
        if (data == null)
            throw new FcnLabException(normalizeGiven
                ? "--normalize standardize fits the mean and std on a data set: give --data (and --dataset), or give --input-mean and --input-std."
                : "import needs the input normalization the weights were trained with: --input-mean M --input-std S (transforms.Normalize's, on pixels scaled to [0, 1]), --normalize scale or none, or --data to fit standardize on the data set as train does.");
        // The training split as train makes it (same --val-split, --stratify and --seed), so the statistics are train's.
        var (trainIdx, _) = ValSplit.Split(data.Train.Labels, ValSplit.Parse(config.ValSplit), config.Stratify, Rng.ForPurpose(config.Seed, "split"), config.ValFrom);
        return Normalization.Fit(NormalizeKind.Standardize, data.Train, trainIdx);
    }

    private static int[] ParseInputShape(string text)
    {
        var parts = text.Trim().Trim('[', ']').Split([',', 'x', 'X'], StringSplitOptions.TrimEntries);
        var dims = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]) || dims[i] < 1)
                throw new FcnLabException($"--input-shape '{text}' is not a shape: write C,H,W (e.g. 1,28,28), H,W, or FEATURES (e.g. 784).");
        // H,W is a one-channel image, as data sets read it.
        return dims.Length == 2 ? [1, dims[0], dims[1]] : dims;
    }

    private static double Number(string flag, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
            ? v
            : throw new FcnLabException($"{flag} must be a number (got '{text}').");
}
