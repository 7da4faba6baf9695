using FcnLab.Engine;

namespace FcnLab.Lab.Search;

/// <summary>
/// What a search optimizes: a validation metric (a metrics.csv column) and whether larger is better.
/// The test set never chooses: it is evaluated once per trial for the report.
/// </summary>
public sealed record SearchObjective(string Metric, ObjectiveDirection Direction)
{
    /// <summary>Validation accuracy, maximized.</summary>
    public static SearchObjective ValAccuracy { get; } = new("val_accuracy", ObjectiveDirection.Maximize);

    /// <summary>Validation loss, minimized.</summary>
    public static SearchObjective ValLoss { get; } = new("val_loss", ObjectiveDirection.Minimize);

    /// <summary>The objective a spec names: val_accuracy or val_loss (dashes accepted).</summary>
    public static SearchObjective Parse(string text) =>
        text.Trim().Replace('-', '_').ToLowerInvariant() switch
        {
            "val_accuracy" => ValAccuracy,
            "val_loss" => ValLoss,
            _ => throw new FcnLabException($"objective '{text}' is not known: use val_accuracy (maximized) or val_loss (minimized). The test set is never the objective."),
        };

    /// <summary>Whether <paramref name="a"/> is strictly better than <paramref name="b"/> (NaN is never better).</summary>
    public bool IsBetter(double a, double b) => Direction == ObjectiveDirection.Minimize ? a < b : a > b;
}
