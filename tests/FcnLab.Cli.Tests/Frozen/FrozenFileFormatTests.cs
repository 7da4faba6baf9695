using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using FcnLab.Engine.Data;
using FcnLab.Engine.Tests.Frozen;
using FcnLab.Engine.Training;

namespace FcnLab.Cli.Tests.Frozen;

/// <summary>
/// Model files and checkpoints written by the code before the issue 13 refactor (model.fcnlab format 1
/// for the dense shorthand, format 2 for --arch; checkpoints completed, interrupted in the middle of an
/// epoch, and saved between epochs), kept as binary fixtures in Fixtures/model-files/&lt;case&gt;/run/ with
/// the rest of their run directories. Every later version must read them: the models evaluate
/// (`fcnlab eval`) and fine-tune (`--init-from`) to the recorded numbers, and the checkpoints resume
/// (`fcnlab train --resume`) to the recorded run outputs.
/// </summary>
public class FrozenFileFormatTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fcnlab-frozen-files-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }

    // A network of convolutions, both poolings, batch norm, dropout and three activations, on 8x8 images.
    private const string ConvNet = "conv(4,3,pad=1) batchnorm relu maxpool(2) conv(6,3,pad=1) tanh avgpool(2) flatten dropout(0.2) dense(10) leaky-relu(0.1) dense(classes)";
    private const string SmallConvNet = "conv(3,3) relu maxpool(2) flatten dense(8) sigmoid dense(classes)";

    /// <summary>
    /// A saved run: its data set, its settings as `fcnlab train` flags, where it was interrupted (after
    /// step Step of epoch Epoch; the last step of an epoch saves the checkpoint between epochs) or null
    /// when it ran to the end, the model format it holds (null: no model yet), and the --epochs its resume takes.
    /// </summary>
    public sealed record Saved(string Data, string[] Flags, (int Epoch, int Step)? CancelAfter, int? ModelFormat, int? ResumeEpochs, string About);

    // tiny8: 240 training images, 24 of them for validation: 7 steps of 32 per epoch (the last of 24).
    public static readonly Dictionary<string, Saved> Cases = new()
    {
        ["dense-completed"] = new("tiny8", ["--hidden", "16,12", "--batch-norm", "--dropout", "0.2", "--optimizer", "adam", "--lr", "0.01", "--epochs", "2", "--batch-size", "32"],
            null, 1, 3, "dense shorthand trained to the end: model.fcnlab format 1, checkpoint completed after 2 epochs; resumed to 3"),
        ["arch-completed"] = new("tiny8", ["--arch", ConvNet, "--augment", "--optimizer", "adam", "--lr", "0.005", "--epochs", "2", "--batch-size", "32"],
            null, 2, 3, "--arch network trained to the end: model.fcnlab format 2, checkpoint completed after 2 epochs; resumed to 3"),
        ["dense-mid-epoch"] = new("tiny8", ["--hidden", "16,12", "--batch-norm", "--activation", "leaky-relu", "--leaky-slope", "0.05", "--optimizer", "sgd", "--momentum", "0.9", "--nesterov",
            "--lr", "0.05", "--l2", "0.001", "--clip-grad-norm", "2", "--lr-schedule", "plateau", "--lr-plateau-patience", "0", "--lr-factor", "0.5", "--restore-best", "--epochs", "3", "--batch-size", "32"],
            (2, 3), null, null, "dense shorthand interrupted after step 3 of epoch 2 (checkpoint in the middle of an epoch, best weights held)"),
        ["arch-mid-epoch"] = new("tiny8", ["--arch", ConvNet, "--augment", "--optimizer", "rmsprop", "--momentum", "0.5", "--lr", "0.003", "--lr-schedule", "cosine", "--epochs", "3", "--batch-size", "32"],
            (2, 4), null, 4, "--arch network with --augment interrupted after step 4 of epoch 2 (checkpoint in the middle of an epoch); resumed to 4 epochs (cosine follows the new total)"),
        ["arch-between-epochs"] = new("tiny8", ["--arch", SmallConvNet, "--optimizer", "adamw", "--weight-decay", "0.01", "--lr", "0.01", "--lr-schedule", "step", "--lr-step-size", "1",
            "--lr-gamma", "0.5", "--epochs", "3", "--batch-size", "32"],
            (1, 7), null, null, "--arch network interrupted after the last step of epoch 1 (checkpoint between epochs)"),
        ["dense-between-epochs-patience"] = new("noise8", ["--hidden", "12", "--dropout", "0.1", "--optimizer", "adam", "--lr", "0.01", "--patience", "3", "--epochs", "10", "--batch-size", "32"],
            (2, 7), null, null, "dense shorthand with --patience on random labels interrupted between epochs 2 and 3 (early-stopping state and best weights held); stops early after the resume"),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    public static TheoryData<string> ModelCaseNames => [.. Cases.Where(c => c.Value.ModelFormat != null).Select(c => c.Key)];

    private static string Folder(string name, params string[] parts) => FrozenFixture.Folder("FcnLab.Cli.Tests", ["model-files", name, .. parts]);

    /// <summary>The saved run directory of a case; made by the code at hand only when recording and it is missing.</summary>
    private string SavedRun(string name)
    {
        string dir = Folder(name, "run");
        if (Directory.Exists(dir)) return dir;
        Assert.True(FrozenFixture.Writing, $"The saved run {dir} is missing. It is a fixture written by the code before the issue 13 refactor: restore it from git rather than make it again.");
        Make(name, dir);
        return dir;
    }

    private sealed class CancelAfter(int epoch, int step, CancellationTokenSource cancel) : ITrainingObserver
    {
        public void StepCompleted(int e, int s, int steps, double runningLoss)
        {
            if (e == epoch && s == step) cancel.Cancel();
        }
    }

    /// <summary>
    /// Trains the case through the Trainer API (as `fcnlab train` does) with --data given as the relative
    /// path "data", so the checkpoint can be resumed wherever a copy of the run has a data/ beside it.
    /// </summary>
    private void Make(string name, string fixtureDir)
    {
        var c = Cases[name];
        string work = Path.Combine(_root, "make", name);
        string data = FrozenData.Write(FrozenData.ByName(c.Data), Path.Combine(work, "data"));
        var config = TrainSettings.Apply(new TrainConfig(), [new("data", "data"), new("dataset", "tiny"), new("threads", "2"), .. Settings(c.Flags)]);
        var dataset = DatasetCatalog.Load(new DataOptions("tiny", data));
        string runDir = Path.Combine(work, "run");
        if (c.CancelAfter is { } at)
        {
            using var cancel = new CancellationTokenSource();
            Assert.Throws<OperationCanceledException>(() => Trainer.Run(config, dataset, runDir, new CancelAfter(at.Epoch, at.Step, cancel), cancel.Token));
        }
        else
        {
            Trainer.Run(config, dataset, runDir, NullObserver.Instance);
        }
        Directory.CreateDirectory(fixtureDir);
        foreach (string file in Directory.GetFiles(runDir)) File.Copy(file, Path.Combine(fixtureDir, Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(Folder(name), "about.txt"),
            $"{c.About}.\nMade on {c.Data} (Fixtures/data-sets.txt) by the code of commit be0ab45 through Trainer.Run, as\n" +
            $"  fcnlab train --data data --dataset tiny --threads 2 {string.Join(" ", c.Flags.Select(f => f.Contains(' ') ? $"\"{f}\"" : f))}\n" +
            (c.CancelAfter is { } a ? $"cancelled (as Ctrl-C) after step {a.Step} of epoch {a.Epoch}.\n" : ""));
    }

    /// <summary>`--name value` and `--switch` as setting name/value pairs.</summary>
    private static List<KeyValuePair<string, string>> Settings(string[] flags)
    {
        var settings = new List<KeyValuePair<string, string>>();
        for (int i = 0; i < flags.Length; i++)
        {
            bool hasValue = i + 1 < flags.Length && !flags[i + 1].StartsWith("--", StringComparison.Ordinal);
            settings.Add(new(flags[i][2..], hasValue ? flags[++i] : "true"));
        }
        return settings;
    }

    /// <summary>The saved run's files by SHA-256, so a fixture rewritten by later code is caught.</summary>
    private static string Listing(string dir)
    {
        var sb = new StringBuilder();
        foreach (string path in Directory.GetFiles(dir).Order(StringComparer.Ordinal))
            sb.Append($"{Path.GetFileName(path)} sha256:{FrozenFixture.Sha256(File.ReadAllBytes(path))}\n");
        return sb.ToString();
    }

    private static (int Code, string Out, string Err) Run(string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [MemberData(nameof(ModelCaseNames))]
    public void SavedModel_HasItsFormat_AndEvaluatesAsRecorded(string name)
    {
        var c = Cases[name];
        string model = Path.Combine(SavedRun(name), "model.fcnlab");
        var bytes = File.ReadAllBytes(model);
        Assert.Equal(c.ModelFormat, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8))); // the format version follows the 8-byte magic

        string data = FrozenData.Write(FrozenData.ByName(c.Data), Path.Combine(_root, "data"));
        var (code, output, err) = Run(["eval", "--model", model, "--data", data, "--threads", "2", "--json"]);
        Assert.True(code == 0, err + output);
        FrozenFixture.Check(Folder(name), [
            ("run-files.txt", Listing(Folder(name, "run"))),
            ("model-weights.txt", FrozenRun.Weights(model)),
            ("eval.json", FrozenFixture.Json(output, "model", "data_dir")),
        ]);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void SavedCheckpoint_ResumesAsRecorded(string name)
    {
        var c = Cases[name];
        string saved = SavedRun(name);
        // A copy of the run with its data beside it, resumed by the fcnlab program from there: the
        // checkpoint names its data as the relative path "data".
        string work = Path.Combine(_root, "work"), run = Path.Combine(work, "run");
        Directory.CreateDirectory(run);
        foreach (string file in Directory.GetFiles(saved)) File.Copy(file, Path.Combine(run, Path.GetFileName(file)));
        FrozenData.Write(FrozenData.ByName(c.Data), Path.Combine(work, "data"));

        string[] epochs = c.ResumeEpochs is { } n ? ["--epochs", n.ToString(System.Globalization.CultureInfo.InvariantCulture)] : [];
        var (code, output, err) = Fcnlab(work, ["train", "--resume", "run", .. epochs, "--threads", "2", "--json", "--store", Path.Combine("store", "fcnlab.db")]);
        Assert.True(code == 0, $"exit code {code}: {err}{output}");
        FrozenFixture.Check(Folder(name), "run-files.txt", Listing(saved));
        FrozenFixture.Check(Folder(name, "resumed"), FrozenRun.Outputs(run, output, $"fcnlab train --resume RUN_DIR {string.Join(" ", epochs)} --threads 2 --json".Replace("  ", " ", StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(ModelCaseNames))]
    public void SavedModel_AsInitFrom_TrainsAsRecorded(string name)
    {
        var c = Cases[name];
        string model = Path.Combine(SavedRun(name), "model.fcnlab");
        string data = FrozenData.Write(FrozenData.ByName(c.Data), Path.Combine(_root, "data"));
        // The same network and recipe, one epoch more, from the saved weights.
        string[] flags = [.. c.Flags.Where((f, i) => f != "--epochs" && (i == 0 || c.Flags[i - 1] != "--epochs")), "--epochs", "1", "--seed", "3"];
        string runDir = Path.Combine(_root, "init-from");
        var (code, output, err) = Run(["train", "--data", data, "--dataset", "tiny", "--threads", "2", "--json", "--store", Path.Combine(_root, "store", "fcnlab.db"), "--out", runDir, "--init-from", model, .. flags]);
        Assert.True(code == 0, err + output);
        FrozenFixture.Check(Folder(name, "init-from"), FrozenRun.Outputs(runDir, output, $"fcnlab train --data {c.Data} --dataset tiny --threads 2 --json --out RUN_DIR --init-from MODEL {string.Join(" ", flags)}", "init_from"));
    }

    /// <summary>The fcnlab program beside the tests, run in <paramref name="workingDirectory"/>.</summary>
    private static (int Code, string Out, string Err) Fcnlab(string workingDirectory, string[] args)
    {
        string exe = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "fcnlab.exe" : "fcnlab");
        var start = new ProcessStartInfo(exe) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"fcnlab {string.Join(" ", args)} ran over 2 minutes.");
        }
        return (process.ExitCode, stdout, stderr.Result);
    }
}
