using FcnLab.Engine.Training;
using FcnLab.Lab.Store;

namespace FcnLab.Cli.Tests;

/// <summary>sweep, runs, show, report and reproduce end to end on the tiny data set, with a store in a temp directory.</summary>
public sealed class SweepCommandTests : IDisposable
{
    private readonly CliHarness _h = new();

    public void Dispose() => _h.Dispose();

    private string WriteSpec(string name, string axes, int repeats = 2, string extraBase = "", string study = "")
    {
        string path = _h.Path_(name + ".yaml");
        File.WriteAllText(path, $"""
            name: {name}
            base:
              data: {_h.DataDir}
              dataset: tiny
              hidden: [16]
              epochs: 2
              batch_size: 32
              threads: 1
            {extraBase}
            axes:
            {axes}
            repeats: {repeats}
            {study}
            """);
        return path;
    }

    private List<TrialRecord> Trials(string sweep)
    {
        using var store = RunStores.Open(_h.StorePath);
        return [.. store.ListTrials(sweep)];
    }

    [Fact]
    public void RunsTheGridRecordsEveryTrialAndRedoesNothingTheSecondTime()
    {
        string spec = WriteSpec("opt", "  optimizer: [sgd, adam]\n  lr: [0.05]");
        var (code, output, err) = _h.Run("sweep", spec, "--store", _h.StorePath);
        Assert.True(code == 0, err + output);
        Assert.Contains("sweep opt: 4 trials: 4 completed, 0 early-stopped, 0 diverged, 0 failed, 0 not yet run", output);
        Assert.Contains("[4/4]", output);
        var trials = Trials("opt");
        Assert.Equal(4, trials.Count);
        Assert.All(trials, t => Assert.Equal(RunStatus.Completed, t.Status));
        Assert.All(trials, t => Assert.True(File.Exists(Path.Combine(t.Definition.RunDir, "model.fcnlab"))));
        Assert.All(trials, t => Assert.Equal(Path.Combine(_h.Root, "runs", "opt", t.TrialId), t.Definition.RunDir));
        var finished = trials.Select(t => t.FinishedAt).ToList();

        (code, output, _) = _h.Run("sweep", spec, "--store", _h.StorePath);
        Assert.Equal(0, code);
        Assert.Contains("4 already final, 0 new", output);
        Assert.DoesNotContain("[1/4]", output);
        Assert.Equal(finished, Trials("opt").Select(t => t.FinishedAt));

        // A changed spec under the same name adds only the new trials and keeps the old ones.
        spec = WriteSpec("opt", "  optimizer: [sgd, adam]\n  lr: [0.05, 0.01]");
        (code, output, _) = _h.Run("sweep", spec, "--store", _h.StorePath, "--quiet");
        Assert.Equal(0, code);
        Assert.Contains("sweep opt: 8 trials: 8 completed", output);
        Assert.Equal(8, Trials("opt").Count);
    }

    [Fact]
    public void AFailingTrialIsRecordedAndTheSweepGoesOnWithExitCode4()
    {
        // A missing --init-from file fails that trial only; a huge learning rate diverges.
        string spec = WriteSpec("mixed", "  init-from: [missing.fcnlab]\n", repeats: 1);
        var (code, output, _) = _h.Run("sweep", spec, "--store", _h.StorePath);
        Assert.Equal(4, code);
        Assert.Contains("1 failed", output);
        var failed = Assert.Single(Trials("mixed"));
        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Contains("missing.fcnlab", failed.Error);

        spec = WriteSpec("wild", "  lr: [1e30, 0.05]\n", repeats: 1);
        (code, output, _) = _h.Run("sweep", spec, "--store", _h.StorePath);
        Assert.Equal(0, code);
        Assert.Contains("1 completed, 0 early-stopped, 1 diverged, 0 failed", output);
        var diverged = Trials("wild").Single(t => t.Status == RunStatus.Diverged);
        Assert.NotNull(diverged.Summary!.DivergedEpoch);
    }

    [Fact]
    public void BadSpecsAreRefusedWithExitCode2AndNothingRecorded()
    {
        string spec = WriteSpec("bad", "  lr: [abc]");
        var (code, _, err) = _h.Run("sweep", spec, "--store", _h.StorePath);
        Assert.Equal(2, code);
        Assert.Contains("--lr must be a number", err);
        Assert.False(File.Exists(_h.StorePath));
        (code, _, err) = _h.Run("sweep", _h.Path_("nope.yaml"), "--store", _h.StorePath);
        Assert.Equal(2, code);
        Assert.Contains("nope.yaml", err);
    }

    [Fact]
    public void RunsShowAndTrainAreRecordedInTheStore()
    {
        var (code, _, err) = _h.Train(_h.Path_("run1"));
        Assert.True(code == 0, err);
        string spec = WriteSpec("small", "  lr: [0.05]", repeats: 1);
        Assert.Equal(0, _h.Run("sweep", spec, "--store", _h.StorePath).Code);

        var (rc, list, _) = _h.Run("runs", "--store", _h.StorePath);
        Assert.Equal(0, rc);
        Assert.Contains("(train)", list);
        Assert.Contains("small", list);
        Assert.Contains("2 runs in", list);
        (rc, list, _) = _h.Run("runs", "--store", _h.StorePath, "--sweep", "small");
        Assert.Contains("1 runs in", list);
        Assert.Equal(2, _h.Run("runs", "--store", _h.StorePath, "--sweep", "nosuch").Code);

        var trial = Trials("small").Single();
        var (sc, shown, serr) = _h.Run("show", trial.TrialId[..6], "--store", _h.StorePath);
        Assert.True(sc == 0, serr);
        Assert.Contains($"trial {trial.TrialId}", shown);
        Assert.Contains("status: completed", shown);
        Assert.Contains("epoch   2/2", shown);
        Assert.Equal(0, _h.Run("show", "1", "--store", _h.StorePath).Code);
        Assert.Equal(0, _h.Run("show", _h.Path_("run1"), "--store", _h.StorePath).Code);
        Assert.Equal(2, _h.Run("show", "zzzz", "--store", _h.StorePath).Code);
    }

    [Fact]
    public void ReportWritesTablesPlotsAndHtmlFromTheStore()
    {
        string spec = WriteSpec("rep", "  optimizer: [sgd, adam]", repeats: 2);
        Assert.Equal(0, _h.Run("sweep", spec, "--store", _h.StorePath, "--quiet").Code);
        string outDir = _h.Path_("report");
        var (code, output, err) = _h.Run("report", "rep", "--store", _h.StorePath, "--out", outDir);
        Assert.True(code == 0, err + output);
        foreach (var f in new[] { "table.md", "table.csv", "report.html", "train_loss.svg", "val_accuracy.svg", "best_confusion.svg", "best_misclassified.svg" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        string md = File.ReadAllText(Path.Combine(outDir, "table.md"));
        Assert.Contains("±", md);
        Assert.Contains("adam", md);
        Assert.Equal(2, _h.Run("report", "nosuch", "--store", _h.StorePath).Code);
    }

    [Fact]
    public void ReproducePrintsPublishedBesideOurs()
    {
        string studies = Directory.CreateDirectory(_h.Path_("studies")).FullName;
        File.Move(WriteSpec("toy-study", "  optimizer: [sgd, adam]", repeats: 2, study: """
            study:
              source: toy.md
              table: "Table 1: toy"
              published:
                - { optimizer: sgd, test_acc: 50.0, lowest_train_loss: 0.5, lowest_train_loss_epoch: 2 }
                - { optimizer: adam, test_acc: 99.5 }
            """), Path.Combine(studies, "toy-study.yaml"));
        var (code, list, _) = _h.Run("reproduce", "--list", "--studies", studies);
        Assert.Equal(0, code);
        Assert.Contains("toy-study", list);
        Assert.Contains("Table 1: toy", list);

        var (rc, output, err) = _h.Run("reproduce", "toy-study", "--studies", studies, "--store", _h.StorePath, "--quiet");
        Assert.True(rc == 0, err + output);
        Assert.Contains("published", output);
        var lines = output.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("test_acc ", StringComparison.Ordinal) && l.Contains(" sgd ") && l.Contains(" 50.00 "));
        Assert.Contains(lines, l => l.StartsWith("test_acc ", StringComparison.Ordinal) && l.Contains(" adam ") && l.Contains(" 99.50 "));
        Assert.Contains(lines, l => l.StartsWith("lowest_train_loss ", StringComparison.Ordinal) && l.Contains(" 0.5000 "));
        Assert.Contains(lines, l => l.StartsWith("lowest_train_loss_epoch ", StringComparison.Ordinal) && l.Contains(" 2 "));
        Assert.Contains("±", output);
        Assert.Equal(4, Trials("toy-study").Count);
        Assert.Equal(2, _h.Run("reproduce", "nosuch", "--studies", studies).Code);
    }
}
