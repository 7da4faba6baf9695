using FcnLab.Engine.Training;
using FcnLab.Lab.Reports;
using FcnLab.Lab.Store;
using static FcnLab.Lab.Tests.Reports.ReportTestData;

namespace FcnLab.Lab.Tests.Reports;

public class RunPlotsTests
{
    [Fact]
    public void A_finished_run_gets_all_four_plots()
    {
        using var dir = new TempDir();
        var summary = Summary(RunStatus.Completed, 0.9, 0.8, 0.91, 3, 0.2, 5);
        var outcome = new TrialOutcome(summary, Confusion(), ClassNames, Mistakes(5));
        var written = RunPlots.Write(dir.Path, Epochs(5), outcome, Images());
        Assert.Equal(["loss_accuracy.svg", "train_vs_val_loss.svg", "confusion.svg", "misclassified.svg"], written.Select(Path.GetFileName));
        foreach (string path in written) SvgAssert.Valid(File.ReadAllText(path));
        var grid = SvgAssert.Valid(File.ReadAllText(dir.File("misclassified.svg")));
        Assert.Equal(5, grid.Descendants(SvgAssert.Svg + "image").Count());
    }

    [Fact]
    public void A_diverged_run_gets_its_curves_only_and_the_trainer_result_overload_works()
    {
        using var dir = new TempDir();
        List<EpochMetrics> epochs = [new(1, 2.3, 0.1, 2.2, 0.12, 0.1, 1), new(2, double.NaN, 0.1, null, null, 0.1, 1)];
        var result = new TrainResult(Summary(RunStatus.Diverged, divergedEpoch: 2, epochs: 2), epochs, Test: null, ClassNames, []);
        var written = RunPlots.Write(dir.Path, result, Images());
        Assert.Equal(["loss_accuracy.svg", "train_vs_val_loss.svg"], written.Select(Path.GetFileName));
        foreach (string path in written) SvgAssert.Valid(File.ReadAllText(path));

        // A later write without a test evaluation removes the plots an earlier one drew.
        var outcome = new TrialOutcome(Summary(RunStatus.Completed, 0.9), Confusion(), ClassNames, Mistakes(3));
        RunPlots.Write(dir.Path, epochs, outcome, Images());
        Assert.True(File.Exists(dir.File("misclassified.svg")));
        var none = RunPlots.Write(dir.Path, epochs, outcome: null, images: null);
        Assert.Equal(["loss_accuracy.svg", "train_vs_val_loss.svg"], none.Select(Path.GetFileName));
        Assert.False(File.Exists(dir.File("misclassified.svg")));
        Assert.False(File.Exists(dir.File("confusion.svg")));
    }
}
