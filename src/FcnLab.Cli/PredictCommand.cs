using FcnLab.Engine.Tensors;

namespace FcnLab.Cli;

/// <summary>fcnlab predict: a saved model's top classes for PNG pictures, IDX image files or CSV rows.</summary>
public static class PredictCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("predict", "Classify images with a trained model: PNG files, IDX image files (raw or .gz) or CSV files; prints each image's top classes.");
        var inputs = new Argument<string[]>("input") { Description = "PNG, IDX image or CSV files.", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string>("--model") { Description = "model.fcnlab file or run directory.", Required = true, HelpName = "file|run-dir" };
        var labels = new Option<string>("--labels") { Description = "IDX label file of the (one) IDX image input: also print the accuracy.", HelpName = "file" };
        var invert = new Option<bool>("--invert") { Description = "Use 255 - x for every pixel: for dark-on-light pictures (the MNIST-style data sets are light on black)." };
        var top = WholeNumberOption.Create("--top", "Classes shown per image, most probable first. Default: 3.", "k");
        var threads = WholeNumberOption.Create("--threads", "Worker threads. Default: all cores.");
        var json = new Option<bool>("--json") { Description = "Print one JSON document on stdout and nothing else there." };
        command.Arguments.Add(inputs);
        foreach (var o in new Option[] { model, labels, invert, top, threads, json }) command.Options.Add(o);
        command.SetAction(parse => Execute(parse.GetValue(model)!, parse.GetValue(inputs)!, parse.GetValue(labels), parse.GetValue(invert),
            parse.GetValue(top) ?? 3, parse.GetValue(threads) ?? Environment.ProcessorCount, parse.GetValue(json), stdout, stderr));
        return command;
    }

    public static int Execute(string modelPath, string[] inputPaths, string? labelsPath, bool invert, int top, int threads, bool json, TextWriter stdout, TextWriter stderr)
    {
        var contents = ModelFile.Load(modelPath);
        var spec = contents.Spec;
        if (top < 1 || top > spec.Classes)
            throw new FcnLabException($"--top {top} is outside 1..{spec.Classes}: the model has {spec.Classes} classes.");
        if (threads < 1)
            throw new FcnLabException($"--threads must be at least 1 (got {threads}).");
        // Models take one-channel images: [1, H, W] or [H, W].
        int[] shape = spec.InputShape;
        if (!(shape.Length == 3 && shape[0] == 1) && shape.Length != 2)
            throw new FcnLabException($"The model takes inputs of shape [{string.Join(",", shape)}]; predict feeds it one-channel images of [1, height, width].");
        int height = shape[^2], width = shape[^1];

        if (labelsPath is not null && inputPaths.Length != 1)
            throw new FcnLabException($"--labels belongs to one IDX image input, but {inputPaths.Length} inputs were given; predict the labeled file alone.");
        // Read everything first: a bad input fails the command before anything is printed.
        var sets = inputPaths.Select(path => ImageInputs.Load(path, height, width, invert, labelsPath)).ToList();
        foreach (var set in sets)
        {
            if (set.Labels is null) continue;
            foreach (int label in set.Labels)
                if (label >= spec.Classes)
                    throw new FcnLabException($"{(set.Kind == InputKind.Csv ? set.Source : labelsPath)}: label {label} is outside the model's {spec.Classes} classes 0..{spec.Classes - 1}; these labels are not of the data the model was trained on.");
        }
        if (!invert)
            foreach (var set in sets.Where(s => s.DarkOnLight > 0))
                stderr.WriteLine(set.Count == 1
                    ? $"warning: {set.Source} looks dark-on-light (its border is light); the model was trained on light-on-dark images: pass --invert if it is a dark drawing on a light background."
                    : $"warning: {set.DarkOnLight} of the {set.Count} images of {set.Source} look dark-on-light (their border is light); the model was trained on light-on-dark images: pass --invert if they are dark drawings on a light background.");

        using var pool = new WorkerPool(threads);
        var network = ModelFile.BuildNetwork(contents, pool, modelPath);
        int classes = spec.Classes;
        var results = new List<(InputImages Set, double[] Probabilities)>();
        foreach (var set in sets)
            results.Add((set, Prediction.Probabilities(network, contents.Normalization, set.Pixels, set.Count)));

        long labeled = 0, correct = 0;
        foreach (var (set, p) in results)
        {
            if (set.Labels is null) continue;
            for (int i = 0; i < set.Count; i++)
            {
                labeled++;
                if (Prediction.TopK(p.AsSpan(i * classes, classes), 1)[0].Class == set.Labels[i]) correct++;
            }
        }
        double? accuracy = labeled > 0 ? (double)correct / labeled : null;
        string Name(int c) => c < contents.ClassNames.Length ? contents.ClassNames[c] : c.ToString(CultureInfo.InvariantCulture);

        if (json)
        {
            var predictions = new List<PredictionJson>();
            foreach (var (set, p) in results)
                for (int i = 0; i < set.Count; i++)
                {
                    var best = Prediction.TopK(p.AsSpan(i * classes, classes), top);
                    predictions.Add(new PredictionJson(set.Source, i, set.Labels?[i], set.Labels is { } l ? Name(l[i]) : null,
                        [.. best.Select(c => new TopClassJson(c.Class, Name(c.Class), c.Probability))]));
                }
            var document = new PredictJson(modelPath, invert, top, contents.ClassNames, predictions, labeled, accuracy);
            stdout.Write(CommandJson.Document(document, CommandJson.Default.PredictJson));
            return ExitCodes.Success;
        }

        foreach (var (set, p) in results)
            for (int i = 0; i < set.Count; i++)
            {
                var best = Prediction.TopK(p.AsSpan(i * classes, classes), top);
                string classesText = string.Join(", ", best.Select(c => string.Create(CultureInfo.InvariantCulture, $"{Printable.Escape(Name(c.Class))} ({c.Probability:0.0000})")));
                string label = set.Labels is null ? "" : $"  (label {Printable.Escape(Name(set.Labels[i]))}{(best[0].Class == set.Labels[i] ? "" : ", wrong")})";
                stdout.WriteLine($"{Printable.Escape(set.Source)}[{i}]: {classesText}{label}");
            }
        if (accuracy is double a)
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy {a:0.0000} ({correct}/{labeled} labeled images)"));
        return ExitCodes.Success;
    }
}
