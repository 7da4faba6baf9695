using System.Text.Json;
using FcnLab.Engine.Tests.Training;

namespace FcnLab.Cli.Tests;

public class TrainCommandTests
{
    private static readonly string[] SummaryKeys =
    [
        "status", "test_accuracy", "test_loss", "start_val_accuracy", "best_val_accuracy", "best_val_epoch",
        "lowest_train_loss", "lowest_train_loss_epoch", "epochs_run", "diverged_epoch", "diverged_step",
        "train_seconds", "seconds_per_epoch", "parameters",
    ];

    [Fact]
    public void Train_WritesTheWholeRunDirectory()
    {
        using var cli = new CliHarness();
        string run = cli.Path_("run");
        var (code, output, err) = cli.Train(run);
        Assert.True(code == 0, err + output);
        foreach (var f in new[] { "model.fcnlab", "config.json", "metrics.csv", "summary.json", "confusion.csv" })
            Assert.True(File.Exists(Path.Combine(run, f)), f);

        var metrics = File.ReadAllLines(Path.Combine(run, "metrics.csv"));
        Assert.Equal("epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds", metrics[0]);
        Assert.Equal(4, metrics.Length);

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        var keys = summary.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(SummaryKeys, keys);
        Assert.Equal("completed", summary.RootElement.GetProperty("status").GetString());
        Assert.Equal(3, summary.RootElement.GetProperty("epochs_run").GetInt32());
        Assert.Equal(JsonValueKind.Null, summary.RootElement.GetProperty("diverged_epoch").ValueKind);
        double acc = summary.RootElement.GetProperty("test_accuracy").GetDouble();
        Assert.InRange(acc, 0, 1);

        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json")));
        Assert.Equal(0.1, config.RootElement.GetProperty("lr").GetDouble());
        Assert.Equal(1, config.RootElement.GetProperty("seed").GetInt64());
        Assert.Equal("sgd", config.RootElement.GetProperty("optimizer").GetString());

        Assert.Contains("confusion matrix", output);
        Assert.Contains("epoch   3/3", output);
        Assert.Contains("completed: test accuracy", output);

        var confusion = File.ReadAllLines(Path.Combine(run, "confusion.csv"));
        Assert.Equal(5, confusion.Length);
        long total = confusion.Skip(1).Sum(l => l.Split(',').Skip(1).Sum(long.Parse));
        Assert.Equal(60, total);
    }

    [Fact]
    public void SameSeed_OneOrTwoThreads_GiveByteIdenticalModelFilesAndEqualSummaries()
    {
        using var cli = new CliHarness();
        var a = cli.Train(cli.Path_("a"), "--dropout", "0.2", "--batch-norm", "--hidden", "200,150", "--epochs", "2", "--threads", "2");
        var b = cli.Train(cli.Path_("b"), "--dropout", "0.2", "--batch-norm", "--hidden", "200,150", "--epochs", "2", "--threads", "1");
        Assert.Equal(0, a.Code);
        Assert.Equal(0, b.Code);
        // Model, confusion, metrics and summary (but for timings), and the final checkpoints' whole state.
        RunComparison.AssertSameRun(cli.Path_("a"), cli.Path_("b"));
        var c = cli.Train(cli.Path_("c"), "--dropout", "0.2", "--batch-norm", "--hidden", "200,150", "--epochs", "2", "--seed", "2");
        Assert.Equal(0, c.Code);
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(cli.Path_("a"), "model.fcnlab")), File.ReadAllBytes(Path.Combine(cli.Path_("c"), "model.fcnlab")));
    }

    [Fact]
    public void LabelSmoothing_SmoothsTheTrainingLossOnly_AndConfigJsonRecordsIt()
    {
        using var cli = new CliHarness();
        Assert.Equal(0, cli.Train(cli.Path_("plain"), "--epochs", "1").Code);
        Assert.Equal(0, cli.Train(cli.Path_("smoothed"), "--epochs", "1", "--label-smoothing", "0.1").Code);
        using var plain = JsonDocument.Parse(File.ReadAllText(Path.Combine(cli.Path_("plain"), "config.json")));
        using var smoothed = JsonDocument.Parse(File.ReadAllText(Path.Combine(cli.Path_("smoothed"), "config.json")));
        Assert.False(plain.RootElement.TryGetProperty("label_smoothing", out _), "a setting at its default leaves config.json as it was");
        Assert.Equal(0.1, smoothed.RootElement.GetProperty("label_smoothing").GetDouble());
        // Same first weights and batches: the first epoch's training loss differs by the smoothing alone.
        string TrainLoss(string run) => File.ReadAllLines(Path.Combine(cli.Path_(run), "metrics.csv"))[1].Split(',')[1];
        Assert.NotEqual(TrainLoss("plain"), TrainLoss("smoothed"));
    }

    [Fact]
    public void Json_PrintsOneDocumentAndNothingElse()
    {
        using var cli = new CliHarness();
        var (code, output, _) = cli.Train(cli.Path_("run"), "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal("completed", doc.RootElement.GetProperty("summary").GetProperty("status").GetString());
        Assert.Equal(3, doc.RootElement.GetProperty("epochs").GetArrayLength());
        Assert.Equal(4, doc.RootElement.GetProperty("test").GetProperty("confusion").GetArrayLength());
    }

    [Fact]
    public void Quiet_PrintsOnlyTheFinalLine()
    {
        using var cli = new CliHarness();
        var (code, output, _) = cli.Train(cli.Path_("run"), "--quiet");
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("completed: test accuracy", lines[0]);
    }

    [Fact]
    public void UnknownFlag_IsAUsageError()
    {
        using var cli = new CliHarness();
        var (code, _, err) = cli.Train(cli.Path_("run"), "--learning-rate", "0.1");
        Assert.Equal(2, code);
        Assert.Contains("--learning-rate", err);
    }

    [Fact]
    public void NoValidation_GivesNullValidationFields_AndRefusesPatience()
    {
        using var cli = new CliHarness();
        var (code, _, err) = cli.Train(cli.Path_("bad"), "--val-split", "0", "--patience", "2");
        Assert.Equal(2, code);
        Assert.Contains("--patience", err);

        string run = cli.Path_("run");
        (code, _, err) = cli.Train(run, "--val-split", "0");
        Assert.True(code == 0, err);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        Assert.Equal(JsonValueKind.Null, summary.RootElement.GetProperty("best_val_accuracy").ValueKind);
        Assert.Equal(JsonValueKind.Null, summary.RootElement.GetProperty("start_val_accuracy").ValueKind);
        Assert.EndsWith(",,", File.ReadAllLines(Path.Combine(run, "metrics.csv"))[1].Split(",0.1,")[0] + ",,");
    }

    [Fact]
    public void Divergence_StopsTheRun_WithExitCode3_AndSaysWhere()
    {
        using var cli = new CliHarness();
        string run = cli.Path_("run");
        var (code, output, err) = cli.Train(run, "--lr", "1e30", "--init", "normal", "--init-std", "100");
        Assert.True(code == 3, $"exit {code}: {err}{output}");
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        Assert.Equal("diverged", summary.RootElement.GetProperty("status").GetString());
        Assert.True(summary.RootElement.GetProperty("diverged_epoch").GetInt32() >= 1);
        Assert.True(summary.RootElement.GetProperty("diverged_step").GetInt32() >= 1);
        Assert.Equal(JsonValueKind.Null, summary.RootElement.GetProperty("test_accuracy").ValueKind);
        Assert.Contains("diverged at epoch", output);
    }

    [Fact]
    public void Patience_StopsEarly_AndRestoresTheBestWeights()
    {
        using var cli = new CliHarness();
        string run = cli.Path_("run");
        // A tiny learning rate schedule that collapses to ~0 after epoch 1 makes later epochs no better.
        var (code, _, err) = cli.Run("train", "--data", cli.DataDir, "--dataset", "tiny", "--hidden", "8", "--epochs", "30", "--batch-size", "16",
            "--optimizer", "adam", "--lr", "0.05", "--patience", "2", "--out", run);
        Assert.True(code == 0, err);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        string status = summary.RootElement.GetProperty("status").GetString()!;
        Assert.Equal("early-stopped", status);
        Assert.True(summary.RootElement.GetProperty("epochs_run").GetInt32() < 30);
    }

    [Fact]
    public void CorruptData_IsExitCode2_NamingTheFile()
    {
        using var cli = new CliHarness();
        File.WriteAllBytes(Path.Combine(cli.DataDir, "train-labels-idx1-ubyte"), [0, 0, 8, 1, 0, 0]);
        var (code, _, err) = cli.Train(cli.Path_("run"));
        Assert.Equal(2, code);
        Assert.Contains("train-labels-idx1-ubyte", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void InitFrom_StartsFromASavedModel()
    {
        using var cli = new CliHarness();
        Assert.Equal(0, cli.Train(cli.Path_("a")).Code);
        var (code, _, err) = cli.Train(cli.Path_("b"), "--init-from", cli.Path_("a"), "--epochs", "1");
        Assert.True(code == 0, err);
        var mismatch = cli.Run("train", "--data", cli.DataDir, "--dataset", "tiny", "--hidden", "5", "--epochs", "1", "--init-from", cli.Path_("a"), "--out", cli.Path_("c"));
        Assert.Equal(2, mismatch.Code);
        Assert.Contains("--init-from", mismatch.Err);
    }

    [Fact]
    public void Preset_IsARecipe_ThatExplicitFlagsOverride()
    {
        using var cli = new CliHarness();
        string run = cli.Path_("run");
        var (code, _, err) = cli.Train(run, "--preset", "adam", "--hidden", "10", "--epochs", "1");
        Assert.True(code == 0, err);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json")));
        Assert.Equal("adam", config.RootElement.GetProperty("preset").GetString());
        Assert.Equal("adam", config.RootElement.GetProperty("optimizer").GetString());
        Assert.Equal(0.1, config.RootElement.GetProperty("lr").GetDouble()); // the harness's explicit --lr wins
        Assert.Equal(1, config.RootElement.GetProperty("epochs").GetInt32());

        var bad = cli.Train(cli.Path_("bad"), "--preset", "turbo");
        Assert.Equal(2, bad.Code);
        Assert.Contains("Known presets", bad.Err);
    }

    [Fact]
    public void CsvData_TrainsWithImageShapeAndClasses_AndEvaluates()
    {
        using var cli = new CliHarness();
        string dir = Directory.CreateDirectory(cli.Path_("csv")).FullName;
        var rng = new System.Random(3);
        foreach (var (file, rows) in new[] { ("train.csv", 120), ("test.csv", 30) })
        {
            var lines = new List<string> { "label," + string.Join(",", Enumerable.Range(1, 12).Select(i => $"pixel{i}")) };
            for (int r = 0; r < rows; r++)
            {
                int label = r % 3;
                lines.Add(label + "," + string.Join(",", Enumerable.Range(0, 12).Select(i => (i / 4 == label ? 200 : 20) + rng.Next(30))));
            }
            File.WriteAllLines(Path.Combine(dir, file), lines);
        }
        string run = cli.Path_("run");
        var (code, _, err) = cli.Run("train", "--data", dir, "--dataset", "shapes", "--image-shape", "3x4", "--classes", "3",
            "--hidden", "8", "--epochs", "5", "--batch-size", "16", "--optimizer", "adam", "--lr", "0.05", "--out", run);
        Assert.True(code == 0, err);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json")));
        Assert.Equal(3, config.RootElement.GetProperty("classes").GetInt32());
        Assert.Equal([1, 3, 4], config.RootElement.GetProperty("image_shape").EnumerateArray().Select(e => e.GetInt32()));
        var eval = cli.Run("eval", "--model", run, "--data", dir, "--json");
        Assert.True(eval.Code == 0, eval.Err);
        using var doc = JsonDocument.Parse(eval.Out);
        Assert.True(doc.RootElement.GetProperty("test_accuracy").GetDouble() > 0.9);

        var bad = cli.Run("train", "--data", dir, "--image-shape", "5x5", "--out", cli.Path_("bad"));
        Assert.Equal(2, bad.Code);
    }
}
