using FcnLab.Engine.Data;
using FcnLab.Engine.Training;
using FcnLab.Lab.Reports;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;

namespace FcnLab.Lab.Tests.Reports;

/// <summary>Sweep results built in memory (no store), with hand-chosen numbers the tests check against.</summary>
internal static class ReportTestData
{
    public static readonly string[] ClassNames = ["T-shirt/top", "Trouser & <Co>", "Bag"];

    public static KeyValuePair<string, string>[] Point(string optimizer, string lr) =>
        [new("optimizer", optimizer), new("lr", lr)];

    public static RunSummary Summary(RunStatus status, double? testAcc = null, double? startVal = null, double? bestVal = null, int? bestValEpoch = null,
        double? lowestLoss = null, int? lowestLossEpoch = null, int? divergedEpoch = null, int epochs = 5) => new()
    {
        Status = status,
        TestAccuracy = testAcc,
        StartValAccuracy = startVal,
        BestValAccuracy = bestVal,
        BestValEpoch = bestValEpoch,
        LowestTrainLoss = lowestLoss,
        LowestTrainLossEpoch = lowestLossEpoch,
        DivergedEpoch = divergedEpoch,
        EpochsRun = epochs,
    };

    /// <summary>Epochs 1..n with falling losses and rising accuracy; <paramref name="offset"/> varies the repeats.</summary>
    public static List<EpochMetrics> Epochs(int n, double offset = 0) =>
        [.. Enumerable.Range(1, n).Select(e => new EpochMetrics(e, 1.0 / e + offset, 0.5 + 0.05 * e, 1.1 / e + offset, 0.6 + 0.04 * e - offset, 0.001, 1.5))];

    public static TrialResult Trial(long runId, KeyValuePair<string, string>[] point, int repeat, RunStatus status,
        RunSummary? summary = null, IReadOnlyList<EpochMetrics>? epochs = null, bool withOutcome = true, string? error = null)
    {
        var definition = new TrialDefinition
        {
            TrialId = runId.ToString("x12", System.Globalization.CultureInfo.InvariantCulture),
            Sweep = "optimizers",
            Point = point,
            Repeat = repeat,
            Seed = 1 + repeat,
            ConfigJson = "{}",
            RunDir = $"runs/optimizers/{runId}",
        };
        var record = new TrialRecord { RunId = runId, Definition = definition, Status = status, Summary = summary, Error = error, Attempts = 1 };
        TrialOutcome? outcome = withOutcome && summary != null && status != RunStatus.Failed
            ? new TrialOutcome(summary, status == RunStatus.Diverged ? null : Confusion(), ClassNames, Mistakes(40))
            : null;
        return new TrialResult(record, epochs ?? [], outcome);
    }

    public static long[,] Confusion() => new long[,] { { 50, 3, 1 }, { 2, 45, 0 }, { 7, 0, 92 } };

    /// <summary><paramref name="n"/> mistakes on test images 0, 2, 4, ...</summary>
    public static List<Misclassification> Mistakes(int n) =>
        [.. Enumerable.Range(0, n).Select(i => new Misclassification(2 * i, i % 3, (i + 1) % 3))];

    /// <summary>
    /// The sample sweep, trials interleaved the way a sweep runs them:
    /// adam/0.001: 3 completed (test 88, 89, 90%); sgd/0.1: 2 diverged in epoch 3; sgd/0.01: 1 completed
    /// (85%) and 1 failed; rmsprop/0.001: 1 running and 1 pending; rmsprop/0.01: 1 pending.
    /// </summary>
    public static SweepResults Sample()
    {
        var adam = Point("adam", "0.001");
        var sgdHigh = Point("sgd", "0.1");
        var sgdLow = Point("sgd", "0.01");
        var rmsA = Point("rmsprop", "0.001");
        var rmsB = Point("rmsprop", "0.01");
        var divergedEpochs = new List<EpochMetrics>
        {
            new(1, 2.5, 0.2, 2.4, 0.25, 0.1, 1),
            new(2, 9.5, 0.1, null, null, 0.1, 1),
            new(3, double.NaN, 0.1, double.NaN, double.NaN, 0.1, 1),
        };
        var trials = new List<TrialResult>
        {
            Trial(1, adam, 0, RunStatus.Completed, Summary(RunStatus.Completed, 0.88, 0.80, 0.90, 10, 0.1, 18), Epochs(5)),
            Trial(2, sgdHigh, 0, RunStatus.Diverged, Summary(RunStatus.Diverged, divergedEpoch: 3, epochs: 3), divergedEpochs),
            Trial(3, sgdLow, 0, RunStatus.Completed, Summary(RunStatus.Completed, 0.85, 0.70, 0.86, 4, 0.35, 5), Epochs(5, 0.2)),
            Trial(4, rmsA, 0, RunStatus.Running, null, Epochs(2, 0.1)),
            Trial(5, rmsB, 0, RunStatus.Pending),
            Trial(6, adam, 1, RunStatus.Completed, Summary(RunStatus.Completed, 0.89, 0.82, 0.91, 12, 0.2, 19), Epochs(5, 0.01)),
            Trial(7, sgdHigh, 1, RunStatus.Diverged, Summary(RunStatus.Diverged, divergedEpoch: 3, epochs: 3), divergedEpochs),
            Trial(8, sgdLow, 1, RunStatus.Failed, null, Epochs(1, 0.3), error: "out of memory"),
            Trial(9, rmsA, 1, RunStatus.Pending),
            Trial(10, adam, 2, RunStatus.EarlyStopped, Summary(RunStatus.EarlyStopped, 0.90, 0.84, 0.92, 13, 0.3, 20), Epochs(4, 0.02)),
        };
        return new SweepResults("optimizers", ["optimizer", "lr"], trials);
    }

    /// <summary>A test set of 100 8x6 gray images (a gradient shifted by the index) in 3 classes.</summary>
    public static ReportImages Images(int count = 100)
    {
        const int h = 8, w = 6;
        var pixels = new float[count * h * w];
        for (int i = 0; i < count; i++)
            for (int p = 0; p < h * w; p++) pixels[i * h * w + p] = (p * 5 + i) % 256;
        var labels = Enumerable.Range(0, count).Select(i => i % 3).ToArray();
        return new ReportImages(new ImageSet(pixels, labels, h * w), [1, h, w], ClassNames);
    }
}
