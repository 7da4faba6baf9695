using FcnLab.Engine.Tests.Frozen;

namespace FcnLab.Cli.Tests.Frozen;

/// <summary>
/// Short trainings through `fcnlab train` on tiny seeded data, each compared exactly with what the code
/// gave before the issue 13 refactor (Fixtures/run-outputs/&lt;case&gt;/): summary, metrics and steps at full
/// precision, the confusion matrix, the weights' SHA-256, config.json and `--json`, all but the timings,
/// thread count, host, time and paths. Fixtures/README.md says how they were recorded.
/// </summary>
public class FrozenRunTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fcnlab-frozen-run-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }

    /// <summary>A case: its data set, the flags after the common ones, and the exit code it gives.</summary>
    public sealed record Case(string Data, string[] Flags, int ExitCode = ExitCodes.Success);

    private const string Tiny8 = "tiny8", Noise8 = "noise8", Tiny28 = "tiny28";

    public static readonly Dictionary<string, Case> Cases = new()
    {
        ["dense-batchnorm-dropout-adam"] = new(Tiny8, ["--hidden", "16,12", "--batch-norm", "--dropout", "0.2", "--optimizer", "adam", "--lr", "0.01", "--epochs", "3", "--batch-size", "32"]),
        ["tanh-l2-rmsprop-cosine"] = new(Tiny8, ["--hidden", "16,12", "--activation", "tanh", "--l2", "0.001", "--optimizer", "rmsprop", "--lr", "0.003", "--lr-schedule", "cosine", "--epochs", "3", "--batch-size", "32"]),
        ["lenet5"] = new(Tiny28, ["--arch", "lenet5", "--optimizer", "adam", "--lr", "0.002", "--epochs", "2", "--batch-size", "32"]),
        ["cnn-augment"] = new(Tiny28, ["--arch", "cnn", "--augment", "--optimizer", "adam", "--lr", "0.002", "--lr-schedule", "cosine", "--epochs", "2", "--batch-size", "32"]),
        ["sgd-nesterov-leaky-relu-kaiming-uniform"] = new(Tiny8, ["--hidden", "16", "--activation", "leaky-relu", "--leaky-slope", "0.05", "--init", "kaiming-uniform",
            "--optimizer", "sgd", "--momentum", "0.9", "--nesterov", "--weight-decay", "0.001", "--lr", "0.05", "--epochs", "3", "--batch-size", "32"]),
        ["leaky-relu-default-slope-xavier-normal"] = new(Tiny8, ["--hidden", "16,12", "--activation", "leaky-relu", "--init", "xavier-normal", "--optimizer", "sgd", "--lr", "0.1", "--epochs", "2", "--batch-size", "32"]),
        ["sigmoid-kaiming-normal-adamw"] = new(Tiny8, ["--hidden", "16,12", "--activation", "sigmoid", "--init", "kaiming-normal", "--optimizer", "adamw", "--weight-decay", "0.01",
            "--lr", "0.01", "--beta1", "0.8", "--beta2", "0.99", "--eps", "1e-6", "--epochs", "3", "--batch-size", "32"]),
        ["xavier-uniform-no-validation-scale-no-shuffle-step"] = new(Tiny8, ["--hidden", "16", "--init", "xavier-uniform", "--val-split", "0", "--normalize", "scale", "--no-shuffle",
            "--lr", "0.1", "--lr-schedule", "step", "--lr-step-size", "2", "--lr-gamma", "0.5", "--epochs", "3", "--batch-size", "32"]),
        ["normal-init-stratify-clip-grad-norm"] = new(Tiny8, ["--hidden", "16,12", "--init", "normal", "--init-std", "0.1", "--val-split", "40", "--stratify", "--clip-grad-norm", "0.5",
            "--optimizer", "sgd", "--momentum", "0.5", "--lr", "0.1", "--epochs", "3", "--batch-size", "32"]),
        ["patience-restore-best-plateau"] = new(Noise8, ["--hidden", "16", "--optimizer", "adam", "--lr", "0.01", "--patience", "2", "--restore-best",
            "--lr-schedule", "plateau", "--lr-plateau-patience", "0", "--lr-factor", "0.5", "--epochs", "12", "--batch-size", "32"]),
        ["restore-best-rmsprop-momentum"] = new(Noise8, ["--hidden", "16", "--restore-best", "--optimizer", "rmsprop", "--momentum", "0.5", "--alpha", "0.9", "--lr", "0.003",
            "--epochs", "4", "--batch-size", "32"]),
        ["softmax-regression-no-normalize-seed"] = new(Tiny8, ["--hidden", "none", "--normalize", "none", "--lr", "0.00005", "--seed", "5", "--epochs", "3", "--batch-size", "50"]),
        // 216 training rows in batches of 43: the last batch has one example, which batch norm drops.
        ["batchnorm-last-batch-of-one"] = new(Tiny8, ["--hidden", "8", "--batch-norm", "--batch-size", "43", "--epochs", "2"]),
        ["preset-fast"] = new(Tiny8, ["--preset", "fast", "--hidden", "16,12", "--epochs", "2", "--batch-size", "32"]),
        ["diverged"] = new(Tiny8, ["--hidden", "16", "--optimizer", "sgd", "--lr", "1e6", "--epochs", "3", "--batch-size", "32"], ExitCodes.Diverged),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    /// <summary>`fcnlab train` in-process with the common flags (2 threads, --json) and the case's.</summary>
    private (int Code, string Out, string Err, string Command) Train(string data, string runDir, string[] flags)
    {
        string dataDir = Path.Combine(_root, "data", data);
        if (!Directory.Exists(dataDir)) FrozenData.Write(FrozenData.ByName(data), dataDir);
        string[] common = ["--data", dataDir, "--dataset", "tiny", "--threads", "2", "--json", "--store", Path.Combine(_root, "store", "fcnlab.db")];
        var (code, output, err) = Run(["train", .. common, "--out", runDir, .. flags]);
        return (code, output, err, $"fcnlab train --data {data} --dataset tiny --threads 2 --json --out RUN_DIR {string.Join(" ", flags)}");
    }

    private static (int Code, string Out, string Err) Run(string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string Folder(string name) => FrozenFixture.Folder("FcnLab.Cli.Tests", "run-outputs", name);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Run_GivesTheRecordedOutputs(string name)
    {
        var c = Cases[name];
        string runDir = Path.Combine(_root, name);
        var (code, output, err, command) = Train(c.Data, runDir, c.Flags);
        Assert.True(code == c.ExitCode, $"exit code {code}, expected {c.ExitCode}: {err}{output}");
        FrozenFixture.Check(Folder(name), FrozenRun.Outputs(runDir, output, command));
    }

    /// <summary>
    /// A 2-epoch run resumed to 4 epochs gives the recorded outputs, and (the step schedule does not
    /// depend on the total) the same outputs as a fresh 4-epoch run, all but config.json's resumes.
    /// </summary>
    [Fact]
    public void ResumedRun_GivesTheRecordedOutputs_AndEqualsAFreshRun()
    {
        string[] recipe = ["--hidden", "16,12", "--optimizer", "sgd", "--momentum", "0.9", "--lr", "0.05", "--lr-schedule", "step", "--lr-step-size", "2", "--lr-gamma", "0.5", "--batch-size", "32"];
        string two = Path.Combine(_root, "two"), four = Path.Combine(_root, "four");
        var first = Train(Tiny8, two, [.. recipe, "--epochs", "2"]);
        Assert.True(first.Code == 0, first.Err + first.Out);
        var (code, output, err) = Run(["train", "--resume", two, "--epochs", "4", "--threads", "2", "--json", "--store", Path.Combine(_root, "store", "fcnlab.db")]);
        Assert.True(code == 0, err + output);
        var resumed = FrozenRun.Outputs(two, output, $"{first.Command} --epochs 2; fcnlab train --resume RUN_DIR --epochs 4 --threads 2 --json");
        FrozenFixture.Check(Folder("resumed-2-to-4-epochs"), resumed);

        var fresh = Train(Tiny8, four, [.. recipe, "--epochs", "4"]);
        Assert.True(fresh.Code == 0, fresh.Err + fresh.Out);
        var freshFiles = FrozenRun.Outputs(four, fresh.Out, "").ToDictionary(f => f.Name, f => f.Text);
        foreach (var (file, text) in resumed.Where(f => f.Name is not ("command.txt" or "config.json")))
            Assert.True(text == freshFiles[file], $"{file} of the resumed run differs from the fresh run's (- fresh, + resumed):\n{FrozenFixture.Diff(freshFiles[file], text)}");
    }
}
