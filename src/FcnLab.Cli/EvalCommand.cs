using FcnLab.Engine.Tensors;

namespace FcnLab.Cli;

/// <summary>fcnlab eval: a saved model on a data set's test split.</summary>
public static class EvalCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("eval", "Evaluate a trained model on the test set: accuracy, per-class metrics, confusion matrix.");
        var model = new Option<string>("--model") { Description = "model.fcnlab file or run directory.", Required = true, HelpName = "file|run-dir" };
        var data = new Option<string>("--data") { Description = "Data set directory.", HelpName = "dir" };
        var dataset = new Option<string>("--dataset") { Description = "Data set name. Default: the run's own (from its config.json), else fashion-mnist.", HelpName = "name" };
        var threads = WholeNumberOption.Create("--threads", "Worker threads. Default: all cores.");
        var json = new Option<bool>("--json") { Description = "Print one JSON document on stdout and nothing else there." };
        foreach (var o in new Option[] { model, data, dataset, threads, json }) command.Options.Add(o);
        command.SetAction(parse => Execute(parse.GetValue(model)!, parse.GetValue(data), parse.GetValue(dataset),
            parse.GetValue(threads) ?? Environment.ProcessorCount, parse.GetValue(json), stdout));
        return command;
    }

    public static int Execute(string modelPath, string? dataDir, string? datasetName, int threads, bool json, TextWriter stdout)
    {
        var contents = ModelFile.Load(modelPath);
        datasetName ??= RunDatasetName(modelPath) ?? "fashion-mnist";
        // The model knows its input shape and class count: CSV test data is read with them.
        var data = DatasetCatalog.Load(new DataOptions(datasetName, dataDir, contents.Spec.InputShape, contents.Spec.Classes, FixedBy: $"model '{modelPath}'"));
        if (data.Test.Features != contents.Spec.InputFeatures)
            throw new FcnLabException($"The model expects images of {contents.Spec.InputFeatures} pixels ({string.Join("x", contents.Spec.InputShape)}), but data set '{data.Name}' in {data.Directory} has {data.Test.Features}. Evaluate it on the data it was trained for.");
        if (data.Classes > contents.Spec.Classes)
            throw new FcnLabException($"The model has {contents.Spec.Classes} classes, but data set '{data.Name}' has {data.Classes}.");

        using var pool = new WorkerPool(threads);
        var network = ModelFile.BuildNetwork(contents, pool, modelPath);
        var x = contents.Normalization.Apply(data.Test, Enumerable.Range(0, data.Test.Count).ToArray());
        var result = Evaluator.Evaluate(network, x, data.Test.Labels, contents.Spec.Classes);

        if (json)
        {
            var document = new EvalJson(modelPath, data.Directory, EvaluationJson.Of(result, contents.ClassNames));
            stdout.Write(CommandJson.Document(document, CommandJson.Default.EvalJson));
        }
        else
        {
            stdout.WriteLine($"model {modelPath} on {data.Name} ({data.Directory})");
            Reporting.WriteEvaluation(stdout, result, contents.ClassNames);
        }
        return ExitCodes.Success;
    }

    private static string? RunDatasetName(string modelPath)
    {
        string config = Path.Combine(ModelFile.DirectoryOf(modelPath), "config.json");
        if (!File.Exists(config)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(config));
            return doc.RootElement.TryGetProperty("dataset", out var d) ? d.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
