using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace FcnLab.Cli;

/// <summary>A test evaluation as --json prints it (eval's document, train's "test"): loss, accuracy, per-class metrics, confusion matrix.</summary>
internal record EvaluationJson
{
    /// <summary>Null when not finite (a diverged network's loss).</summary>
    public required double? TestLoss { get; init; }
    public required double? TestAccuracy { get; init; }
    public required IReadOnlyList<string> ClassNames { get; init; }
    public required IReadOnlyList<ClassMetricsJson> PerClass { get; init; }

    /// <summary>Rows: true class; columns: predicted class.</summary>
    public required long[][] Confusion { get; init; }

    public static EvaluationJson Of(EvalResult test, IReadOnlyList<string> classNames) => new()
    {
        TestLoss = Finite(test.Loss),
        TestAccuracy = Finite(test.Accuracy),
        ClassNames = classNames,
        PerClass = [.. test.PerClass().Select(c => new ClassMetricsJson(classNames[c.Class], c.Recall, c.Precision, c.Recall, c.F1, c.Support))],
        Confusion = [.. Enumerable.Range(0, test.Classes).Select(i => Enumerable.Range(0, test.Classes).Select(j => test.Confusion[i, j]).ToArray())],
    };

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}

/// <summary>One class's metrics; its accuracy is its recall (correct among its examples).</summary>
internal sealed record ClassMetricsJson(string Class, double Accuracy, double Precision, double Recall, double F1, long Support);

/// <summary>eval --json: the model and data it read, then the evaluation.</summary>
internal sealed record EvalJson : EvaluationJson
{
    /// <param name="evaluation">The evaluation, whose fields follow the model's and the data's.</param>
    [SetsRequiredMembers]
    public EvalJson(string model, string dataDir, EvaluationJson evaluation) : base(evaluation) => (Model, DataDir) = (model, dataDir);

    [JsonPropertyOrder(-2)] public string Model { get; }
    [JsonPropertyOrder(-1)] public string DataDir { get; }
}

/// <summary>train --json: the run directory, summary.json's fields, every epoch, and the test evaluation (left out when the run diverged).</summary>
internal sealed record TrainJson(
    string RunDir,
    SummaryJson Summary,
    IReadOnlyList<EpochJson> Epochs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] EvaluationJson? Test);

/// <summary>predict --json: the settings, each image's top classes, and the accuracy over the labeled ones (null without labels).</summary>
internal sealed record PredictJson(string Model, bool Invert, int Top, IReadOnlyList<string> ClassNames, IReadOnlyList<PredictionJson> Predictions, long Labeled, double? Accuracy);

/// <summary>One image: where it came from, its label when known, its most probable classes.</summary>
internal sealed record PredictionJson(
    string Source,
    int Index,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Label,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LabelName,
    IReadOnlyList<TopClassJson> Top);

internal sealed record TopClassJson(int Class, string Name, double Probability);

/// <summary>
/// The serializer of the commands' --json documents, generated at build time (no reflection):
/// snake_case names, indented, one document per command, ending with a newline.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(EvaluationJson))]
[JsonSerializable(typeof(EvalJson))]
[JsonSerializable(typeof(PredictJson))]
[JsonSerializable(typeof(TrainJson))]
internal sealed partial class CommandJson : JsonSerializerContext
{
    /// <summary>The document as --json prints it.</summary>
    public static string Document<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) => RunDirectory.Document(value, type);
}
