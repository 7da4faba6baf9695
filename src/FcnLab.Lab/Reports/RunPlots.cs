using System.Globalization;
using FcnLab.Engine.IO;
using FcnLab.Engine.Training;
using FcnLab.Lab.Reports.Charts;
using FcnLab.Lab.Store;

namespace FcnLab.Lab.Reports;

/// <summary>
/// The plots of one run: training loss with validation accuracy (two y axes), training against validation
/// loss, the test confusion matrix and the misclassified test images. Used for a `fcnlab train` run
/// directory and, with the "best_" prefix, for a sweep report's best run.
/// </summary>
public static class RunPlots
{
    public const string LossAccuracy = "loss_accuracy";
    public const string TrainVsValLoss = "train_vs_val_loss";
    public const string Confusion = "confusion";
    public const string Misclassified = "misclassified";

    /// <summary>
    /// Writes loss_accuracy.svg, train_vs_val_loss.svg and, when there is a test evaluation, confusion.svg,
    /// and misclassified.svg when <paramref name="images"/> are given (an older file of a plot that cannot
    /// be drawn now is removed). Returns the paths written.
    /// </summary>
    public static IReadOnlyList<string> Write(string runDir, IReadOnlyList<EpochMetrics> epochs, TrialOutcome? outcome, ReportImages? images)
    {
        AtomicFile.CreateDirectory(runDir);
        var (plots, _) = Build(epochs, outcome, images, idPrefix: "", titlePrefix: "");
        return WritePlots(runDir, plots, [LossAccuracy, TrainVsValLoss, Confusion, Misclassified]);
    }

    /// <summary>The same from what the trainer returned.</summary>
    public static IReadOnlyList<string> Write(string runDir, TrainResult result, ReportImages? images) =>
        Write(runDir, result.Epochs, TrialOutcome.Of(result), images);

    /// <summary>The plots that can be drawn, and a note for each one that cannot.</summary>
    internal static (List<ReportPlot> Plots, List<string> Notes) Build(
        IReadOnlyList<EpochMetrics> epochs, TrialOutcome? outcome, ReportImages? images, string idPrefix, string titlePrefix)
    {
        var plots = new List<ReportPlot>();
        var notes = new List<string>();
        var trainLoss = new Series("training loss", [.. epochs.Select(e => new ChartPoint(e.Epoch, e.TrainLoss))]);
        var valLoss = new Series("validation loss", [.. epochs.Select(e => new ChartPoint(e.Epoch, e.ValLoss ?? double.NaN))]);
        var valAcc = new Series("validation accuracy", [.. epochs.Select(e => new ChartPoint(e.Epoch, e.ValAccuracy is { } a ? a * 100 : double.NaN))]);

        plots.Add(new ReportPlot(idPrefix + LossAccuracy, "Training loss (left axis) and validation accuracy (right axis) per epoch.",
            DualAxisChart.Render(titlePrefix + "Training loss and validation accuracy", "Epoch",
                trainLoss, "Training loss", valAcc, "Validation accuracy (%)")));
        plots.Add(new ReportPlot(idPrefix + TrainVsValLoss, "Training and validation loss per epoch.",
            LineChart.Render(titlePrefix + "Training and validation loss", "Epoch", "Loss", [trainLoss, valLoss])));

        if (outcome?.Confusion is { } confusion)
            plots.Add(new ReportPlot(idPrefix + Confusion, "Test-set confusion matrix: rows are true classes, columns predicted classes; shade is the share of the true class.",
                ConfusionHeatmap.Render(titlePrefix + "Confusion matrix (test set)", confusion, outcome.ClassNames)));
        else
            notes.Add("No confusion matrix: the run has no test evaluation (it diverged, failed or has not finished).");

        if (outcome is not { Summary.TestAccuracy: not null } tested)
            notes.Add("No misclassified images: the run has no test evaluation.");
        else if (images == null)
            notes.Add("No misclassified images: the test images were not given to the report.");
        else
        {
            int shown = Math.Min(tested.Misclassified.Count, MisclassifiedGrid.DefaultMax);
            plots.Add(new ReportPlot(idPrefix + Misclassified,
                string.Format(CultureInfo.InvariantCulture, "{0} of the {1} misclassified test images, with their true and predicted classes.", shown, tested.Misclassified.Count),
                MisclassifiedGrid.Render(titlePrefix + "Misclassified test images", tested.Misclassified, images)));
        }
        return (plots, notes);
    }

    /// <summary>Writes each plot as ID.svg and removes the files of the <paramref name="allIds"/> not drawn this time.</summary>
    internal static IReadOnlyList<string> WritePlots(string dir, IReadOnlyList<ReportPlot> plots, IReadOnlyList<string> allIds)
    {
        var written = new List<string>();
        foreach (var plot in plots)
        {
            string path = Path.Combine(dir, plot.FileName);
            AtomicFile.WriteAllText(path, plot.Svg);
            written.Add(path);
        }
        foreach (string id in allIds)
            if (plots.All(p => p.Id != id)) File.Delete(Path.Combine(dir, id + ".svg")); // a stale plot would contradict the report
        return written;
    }
}
