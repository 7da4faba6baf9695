using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using FcnLab.Engine.Data;
using FcnLab.Engine.Training;
using FcnLab.Engine.Tests.Data;
using FcnLab.Lab.Store;

namespace FcnLab.Cli.Tests;

/// <summary>One trained run (model and checkpoint) and its data set, shared by the bad-input tests.</summary>
public sealed class TrainedRunFixture : IDisposable
{
    public CliHarness Harness { get; } = new();

    /// <summary>A completed 8x8, 4-class run: model.fcnlab, checkpoint.fcnlab, summary.json.</summary>
    public string RunDir { get; }

    public TrainedRunFixture()
    {
        RunDir = Harness.Path_("trained");
        var (code, output, err) = Harness.Train(RunDir, "--epochs", "2");
        if (code != 0) throw new InvalidOperationException($"The fixture's training failed ({code}): {err}{output}");
    }

    public void Dispose() => Harness.Dispose();
}

/// <summary>
/// Bad input on every path, end to end: each case exits with code 2 and one "error:" line that names
/// what is wrong, with no stack trace or .NET type name, and records nothing as completed (in the run
/// store or the run directory).
/// </summary>
public sealed partial class BadInputTests(TrainedRunFixture fixture) : IClassFixture<TrainedRunFixture>
{
    private const string UsageHint = "Run 'fcnlab --help' or 'fcnlab COMMAND --help' for usage.";
    private readonly CliHarness _h = fixture.Harness;

    [GeneratedRegex(@"System\.|[A-Za-z]+Exception\b")]
    private static partial Regex DotNetTypeName();

    /// <summary>Runs the command and checks the bad-input contract; returns the error line.</summary>
    private string AssertBadInput(string[] args, string? runDir, params string[] fragments)
    {
        var before = StoreRuns();
        var (code, stdout, stderr) = _h.Run(args);
        string context = $"fcnlab {string.Join(' ', args)}\nexit code {code}\nstdout:\n{stdout}\nstderr:\n{stderr}";

        Assert.True(code == 2, context);
        // One message: an "error: " line, which may be followed by indented lines of the same message
        // (an --arch error quotes the spec and underlines the offending layer).
        var raw = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("  ", StringComparison.Ordinal));
        var lines = raw.Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var errors = lines.Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1, "expected exactly one error line\n" + context);
        Assert.True(lines.All(l => l == errors[0] || l == UsageHint), "expected nothing else on stderr\n" + context);
        Assert.DoesNotContain("   at ", stderr);
        Assert.False(DotNetTypeName().IsMatch(stderr), "a .NET type name in the message\n" + context);
        foreach (string fragment in fragments)
            Assert.True(errors[0].Contains(fragment, StringComparison.Ordinal), $"expected '{fragment}' in the message\n" + context);

        // Nothing recorded as done: a run the command added to the store can only be a failed one.
        var after = StoreRuns();
        var added = after.Where(r => !before.ContainsKey(r.Key)).ToList();
        Assert.True(added.All(r => r.Value == RunStatus.Failed), $"runs added: {string.Join(", ", added)}\n" + context);
        Assert.True(before.All(r => after[r.Key] == r.Value), "a run already in the store changed\n" + context);
        if (runDir != null)
        {
            Assert.False(File.Exists(Path.Combine(runDir, "model.fcnlab")), "model.fcnlab was written\n" + context);
            Assert.False(File.Exists(Path.Combine(runDir, "summary.json")), "summary.json was written\n" + context);
        }
        return errors[0];
    }

    private Dictionary<long, RunStatus> StoreRuns()
    {
        if (!File.Exists(_h.StorePath)) return [];
        using var store = RunStores.Open(_h.StorePath);
        return store.ListTrials().ToDictionary(t => t.RunId, t => t.Status);
    }

    private string NewDir(string name) => Directory.CreateDirectory(_h.Path_($"{name}-{Guid.NewGuid():N}")).FullName;

    /// <summary>A copy of the fixture's (valid) IDX data set, to corrupt.</summary>
    private string CopyOfData()
    {
        string dir = NewDir("data");
        foreach (string file in Directory.GetFiles(_h.DataDir)) File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        return dir;
    }

    /// <summary>A quick training on <paramref name="dataDir"/>; a flag in <paramref name="extra"/> replaces its default (a flag may be given once).</summary>
    private string[] TrainArgs(string dataDir, string runDir, params string[] extra)
    {
        var args = new List<string>
        {
            "train", "--data", dataDir, "--dataset", "tiny", "--hidden", "8", "--epochs", "1", "--batch-size", "32", "--threads", "1",
            "--out", runDir, "--store", _h.StorePath,
        };
        foreach (string flag in extra.Where(f => f.StartsWith("--", StringComparison.Ordinal)).Select(f => f.Split('=')[0]))
        {
            int i = args.IndexOf(flag);
            if (i >= 0) args.RemoveRange(i, 2);
            // --arch replaces the dense shorthand (giving both is refused).
            if (flag == "--arch" && args.IndexOf("--hidden") is var h and >= 0) args.RemoveRange(h, 2);
        }
        return [.. args, .. extra];
    }

    private string[] EvalArgs(string model, string dataDir) => ["eval", "--model", model, "--data", dataDir, "--threads", "1"];

    // ---- IDX data -----------------------------------------------------------------------------

    private const string TrainImages = DatasetCatalog.TrainImagesFile;
    private const string TrainLabels = DatasetCatalog.TrainLabelsFile;
    private const string TestLabels = DatasetCatalog.TestLabelsFile;

    /// <summary>Corruptions of one file of a valid IDX data set: the file, what to do to it, and words the message must hold.</summary>
    public static TheoryData<string, string, string[]> IdxCases() => new()
    {
        { "wrong magic", TrainImages, ["wrong magic number 0x00000801", "expected 0x00000803"] },
        { "truncated header", TrainImages, ["truncated inside its header"] },
        { "truncated data", TrainImages, ["truncated", "only"] },
        { "trailing bytes", TrainImages, ["unexpected bytes"] },
        { "count mismatch", TrainLabels, ["240 images", "239 labels"] },
        { "empty file", TestLabels, ["empty"] },
        { "not an IDX file", TrainLabels, ["not an IDX file"] },
        { "corrupt gzip", TrainImages, ["gzip"] },
        { "absurd count", TrainImages, ["far too small"] },
    };

    [Theory]
    [MemberData(nameof(IdxCases))]
    public void IdxFile_Train_And_Eval(string corruption, string file, string[] fragments)
    {
        string data = CopyOfData();
        string path = Path.Combine(data, file);
        byte[] good = File.ReadAllBytes(path);
        switch (corruption)
        {
            case "wrong magic": File.WriteAllBytes(path, File.ReadAllBytes(Path.Combine(data, TrainLabels))); break;
            case "truncated header": File.WriteAllBytes(path, good[..10]); break;
            case "truncated data": File.WriteAllBytes(path, good[..^10]); break;
            case "trailing bytes": File.WriteAllBytes(path, [.. good, 1, 2, 3]); break;
            case "count mismatch": File.WriteAllBytes(path, IdxTestFiles.LabelFileBytes(good.AsSpan(8, good.Length - 9))); break;
            case "empty file": File.WriteAllBytes(path, []); break;
            case "not an IDX file": File.WriteAllText(path, "label,pixel1\n3,0\n"); break;
            case "corrupt gzip":
                // A gzip header, then bytes that are not a deflate stream; the raw file is gone so the .gz is read.
                File.Delete(path);
                path += ".gz";
                File.WriteAllBytes(path, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, .. Enumerable.Repeat((byte)0xff, 64)]);
                break;
            case "absurd count":
                // About 2 GB of images in a file of 15 KB: refused by comparing with the file's length, before allocating.
                BinaryPrimitives.WriteInt32BigEndian(good.AsSpan(4), int.MaxValue / 64);
                File.WriteAllBytes(path, good);
                break;
            default: throw new ArgumentException(corruption);
        }

        string run = Path.Combine(NewDir("runs"), "run");
        AssertBadInput(TrainArgs(data, run), run, [Path.GetFileName(path), .. fragments]);
        AssertBadInput(EvalArgs(fixture.RunDir, data), null, [Path.GetFileName(path), .. fragments]);
    }

    [Fact]
    public void IdxLabelOutsideTheClasses()
    {
        string data = CopyOfData();
        string path = Path.Combine(data, TestLabels);
        byte[] labels = File.ReadAllBytes(path);
        labels[8 + 5] = 9; // item 5
        File.WriteAllBytes(path, labels);

        string run = Path.Combine(NewDir("runs"), "run");
        AssertBadInput(TrainArgs(data, run, "--classes", "4"), run, TestLabels, "label 9 of item 5", "outside the 4 classes", "--classes");
        // eval has no --classes: the message says the model has 4 classes.
        AssertBadInput(EvalArgs(fixture.RunDir, data), null, TestLabels, "label 9 of item 5", "has 4 classes");
    }

    [Fact]
    public void Eval_ImagesOfAnotherSizeThanTheModel()
    {
        string data = IdxTestFiles.WriteDataset(NewDir("data10"), 40, 20, 10, 10, 4);
        string error = AssertBadInput(EvalArgs(fixture.RunDir, data), null, TrainImages, "100 pixels", "1x8x8 = 64 pixels");
        Assert.DoesNotContain("--image-shape", error); // eval has no such flag
    }

    [Theory]
    [InlineData(TrainImages)]
    [InlineData(DatasetCatalog.TestImagesFile)]
    [InlineData(TestLabels)]
    public void DataDirectory_WithAFileMissing(string missing)
    {
        string data = CopyOfData();
        File.Delete(Path.Combine(data, missing));
        string run = Path.Combine(NewDir("runs"), "run");
        AssertBadInput(TrainArgs(data, run), run, "incomplete", "missing " + missing);
        AssertBadInput(EvalArgs(fixture.RunDir, data), null, "incomplete", "missing " + missing);

        string csv = NewDir("csv");
        File.WriteAllText(Path.Combine(csv, "train.csv"), "0,1,2,3,4\n1,5,6,7,8\n");
        AssertBadInput(TrainArgs(csv, run), run, "incomplete", "missing test.csv");
    }

    // ---- CSV data -----------------------------------------------------------------------------

    /// <summary>A valid 8x8, 4-class CSV data set with a header line.</summary>
    private string WriteCsvData()
    {
        string dir = NewDir("csv");
        foreach (var (file, rows) in new[] { ("train.csv", 80), ("test.csv", 20) })
        {
            var lines = new List<string> { "label," + string.Join(",", Enumerable.Range(1, 64).Select(i => $"pixel{i}")) };
            for (int r = 0; r < rows; r++)
                lines.Add((r % 4) + "," + string.Join(",", Enumerable.Range(0, 64).Select(i => (i * 7 + r) % 256)));
            File.WriteAllLines(Path.Combine(dir, file), lines);
        }
        return dir;
    }

    [Theory]
    [InlineData("wrong column count", "3,1,2,3", "line 5", "has 4 columns", "every line needs 65")]
    [InlineData("non-numeric pixel", "3,abc", "line 5", "column 2", "'abc'", "not a number")]
    [InlineData("non-numeric label", "cat,0", "line 5", "label 'cat'", "not a number")]
    [InlineData("pixel 300", "3,300", "line 5", "pixel '300' in column 2", "outside [0, 255]")]
    [InlineData("label -1", "-1,0", "line 5", "label '-1'", "not a non-negative integer")]
    [InlineData("label 1.5", "1.5,0", "line 5", "label '1.5'", "not a non-negative integer")]
    [InlineData("pixel NaN", "3,NaN", "line 5", "'NaN'", "not a number")]
    [InlineData("label 1000000000", "1000000000,0", "line 5", "label 1000000000", "at most 9999")]
    public void CsvRow_Train_And_Eval(string what, string rowStart, params string[] fragments)
    {
        string data = WriteCsvData();
        string path = Path.Combine(data, "train.csv");
        var lines = File.ReadAllLines(path);
        // Line 5 (1-based): replace its first fields, keeping the column count unless the case changes it.
        var fields = lines[4].Split(',');
        var start = rowStart.Split(',');
        lines[4] = what == "wrong column count" ? rowStart : string.Join(",", start.Concat(fields.Skip(start.Length)));
        File.WriteAllLines(path, lines);

        string run = Path.Combine(NewDir("runs"), "run");
        AssertBadInput(TrainArgs(data, run), run, ["train.csv", .. fragments]);
        AssertBadInput(EvalArgs(fixture.RunDir, data), null, ["train.csv", .. fragments]);
    }

    [Fact]
    public void CsvLabelOutsideTheModelsClasses()
    {
        string data = WriteCsvData();
        string path = Path.Combine(data, "test.csv");
        var lines = File.ReadAllLines(path);
        lines[3] = "7" + lines[3][1..];
        File.WriteAllLines(path, lines);
        AssertBadInput(EvalArgs(fixture.RunDir, data), null, "test.csv, line 4", "label 7", "has 4 classes");
    }

    // ---- Model files and checkpoints ------------------------------------------------------------

    /// <summary>Ways a model or checkpoint file goes bad, and words the message must hold.</summary>
    public static TheoryData<string, string> FileCases() => new()
    {
        { "truncated", "truncated" },
        { "cut to 12 bytes", "truncated" },
        { "png", "magic number (is it a file from another program?)" },
        { "text", "magic number" },
        { "empty", "magic number" },
        { "format version 9", "format version 9; this build of FcnLab reads version" },
        { "checksum", "checksum does not match" },
    };

    private static byte[] Corrupt(byte[] good, string corruption) => corruption switch
    {
        "truncated" => good[..(good.Length / 2)],
        "cut to 12 bytes" => good[..12],
        "png" => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a, .. good[8..]],
        "text" => Encoding.UTF8.GetBytes("epoch,train_loss\n1,0.5\n"),
        "empty" => [],
        "format version 9" => [.. good[..8], 9, .. good[9..]],
        "checksum" => [.. good[..(good.Length / 2)], (byte)(good[good.Length / 2] ^ 0x10), .. good[(good.Length / 2 + 1)..]],
        _ => throw new ArgumentException(corruption),
    };

    [Theory]
    [MemberData(nameof(FileCases))]
    public void ModelFile_Eval_And_InitFrom(string corruption, string fragment)
    {
        string model = Path.Combine(NewDir("model"), "model.fcnlab");
        File.WriteAllBytes(model, Corrupt(File.ReadAllBytes(Path.Combine(fixture.RunDir, "model.fcnlab")), corruption));

        AssertBadInput(EvalArgs(model, _h.DataDir), null, model, "not a valid FcnLab model file", fragment);
        string run = Path.Combine(NewDir("runs"), "run");
        AssertBadInput(TrainArgs(_h.DataDir, run, "--hidden", "16,12", "--init-from", model), run, model, "not a valid FcnLab model file", fragment);
    }

    [Theory]
    [MemberData(nameof(FileCases))]
    public void Checkpoint_Resume(string corruption, string fragment)
    {
        // A run directory holding only the damaged checkpoint: nothing may appear beside it.
        string run = NewDir("resume");
        string checkpoint = Path.Combine(run, Checkpoint.FileName);
        File.WriteAllBytes(checkpoint, Corrupt(File.ReadAllBytes(Path.Combine(fixture.RunDir, Checkpoint.FileName)), corruption));
        AssertBadInput(["train", "--resume", run, "--epochs", "3", "--store", _h.StorePath], run, checkpoint, "not a valid FcnLab checkpoint file", fragment);
    }

    [Fact]
    public void Checkpoint_ThatIsAModelFile()
    {
        string run = NewDir("resume");
        File.Copy(Path.Combine(fixture.RunDir, "model.fcnlab"), Path.Combine(run, Checkpoint.FileName));
        AssertBadInput(["train", "--resume", run, "--store", _h.StorePath], run, "is a model file (model.fcnlab), not a checkpoint");
    }

    // ---- Sweep specs --------------------------------------------------------------------------

    [Theory]
    [InlineData("name: s\naxes: { lr: [0.1] }\ncolour: blue", "line 3", "unknown key 'colour' in the top level")]
    [InlineData("name: s\nbase: { batch_sz: 32 }\naxes: { lr: [0.1] }", "line 2", "base.batch_sz is not a training setting")]
    [InlineData("name: s\naxes: { learning_rate: [0.1] }", "line 2", "axes.learning_rate is not a training setting")]
    [InlineData("name: s\naxes: { lr: [0.1] }\nstudy: { source: s.md, table: t, author: me }", "line 3", "unknown key 'author' in study")]
    [InlineData("name: s\naxes: { lr: [0.1] }\nrepeats: two", "line 3", "repeats must be a whole number")]
    [InlineData("name: s\naxes: { lr: 0.1 }", "line 2", "axes.lr must be a list")]
    [InlineData("name: s\naxes: [lr, 0.1]", "line 2", "axes must be a mapping")]
    [InlineData("name: s\nbase: [1, 2]\naxes: { lr: [0.1] }", "line 2", "base must be a mapping")]
    [InlineData("name: s\nbase: { epochs: many }\naxes: { lr: [0.1] }", "--epochs must be a whole number (got 'many')")]
    [InlineData("name: s\naxes: { lr: [fast] }", "--lr must be a number (got 'fast')")]
    [InlineData("name: s\naxes: { optimizer: [adam, adamx] }", "--optimizer", "adamx")]
    [InlineData("name: [s]\naxes: { lr: [0.1] }", "line 1", "name must be text")]
    [InlineData("name: s\naxes: {}", "line 2", "axes is empty")]
    [InlineData("name: s\naxes: { lr: [] }", "line 2", "axes.lr is an empty list")]
    [InlineData("name: s\naxes:", "line 2", "axes must be a mapping")]
    [InlineData("name: s", "has no 'axes'")]
    [InlineData("", "the sweep spec is empty")]
    [InlineData("name: s\naxes: { lr: [0.1\n", "not valid YAML")]
    public void SweepSpec(string yaml, params string[] fragments)
    {
        string spec = Path.Combine(NewDir("spec"), "spec.yaml");
        File.WriteAllText(spec, yaml.Replace("base: {", $"base: {{ data: {_h.DataDir}, dataset: tiny, hidden: 8, "));
        string store = Path.Combine(NewDir("sweep-store"), "fcnlab.db");
        AssertBadInput(["sweep", spec, "--store", store], null, ["spec.yaml", .. fragments]);
        Assert.False(File.Exists(store), "a refused spec must not create the store");
    }

    // ---- Every training setting -----------------------------------------------------------------

    /// <summary>
    /// For every setting of TrainSettings.All, a bad value (more for some): the setting, the flags, and
    /// words the message must hold. <see cref="EveryTrainSetting_HasABadValueCase"/> keeps it complete.
    /// </summary>
    public static TheoryData<string, string[], string[]> BadTrainValues() => new()
    {
        { "data", ["--data", "/nonexistent/fcnlab-data"], ["--data /nonexistent/fcnlab-data", "no such directory"] },
        { "dataset", ["--dataset", ""], ["--dataset needs a value"] },
        { "image-shape", ["--image-shape", "0x3"], ["--image-shape '0x3' is not a shape", "HEIGHTxWIDTH"] },
        { "image-shape", ["--image-shape", "4x4"], ["images have 64 pixels", "holds 16", "--image-shape"] },
        { "classes", ["--classes", "1"], ["--classes must be from 2 to 10000 (got 1)"] },
        { "classes", ["--classes", "1000000000"], ["--classes must be from 2 to 10000 (got 1000000000)"] },
        { "classes", ["--classes", "many"], ["--classes must be a whole number (got 'many')"] },
        { "hidden", ["--hidden", "0,5"], ["--hidden '0,5'", "'0' is not a width"] },
        { "hidden", ["--hidden", "16,,8"], ["--hidden '16,,8'", "positive integers"] },
        { "activation", ["--activation", "foo"], ["--activation", "'foo'", "relu, sigmoid, tanh, leaky-relu"] },
        { "leaky-slope", ["--leaky-slope", "-1"], ["--leaky-slope must be a finite number >= 0 (got -1)"] },
        { "batch-norm", ["--batch-norm", "maybe"], ["--batch-norm is a switch", "'maybe'"] },
        { "dropout", ["--dropout", "1"], ["--dropout must be in [0, 1) (got 1)"] },
        { "dropout", ["--dropout", "-0.5"], ["--dropout must be in [0, 1) (got -0.5)"] },
        { "init", ["--init", "foo"], ["--init", "'foo'", "kaiming-uniform"] },
        { "init-std", ["--init-std", "0"], ["--init-std must be a positive number (got 0)"] },
        { "init-from", ["--init-from", "/nonexistent/model.fcnlab"], ["'/nonexistent/model.fcnlab' does not exist"] },
        { "optimizer", ["--optimizer", "foo"], ["--optimizer", "'foo'", "sgd, rmsprop, adam, adamw"] },
        { "lr", ["--lr", "abc"], ["--lr must be a number (got 'abc')"] },
        { "lr", ["--lr", "0"], ["--lr must be a finite number > 0 (got 0)"] },
        { "lr", ["--lr", "1e400"], ["--lr must be a number (got '1e400')"] },
        { "momentum", ["--momentum", "-1"], ["--momentum must be a finite number >= 0 (got -1)"] },
        { "nesterov", ["--nesterov"], ["--nesterov requires --momentum > 0"] },
        { "nesterov", ["--nesterov", "--momentum", "0.9", "--optimizer", "adam"], ["--nesterov applies to the sgd optimizer only"] },
        { "eps", ["--eps", "0"], ["--eps must be a finite number > 0 (got 0)"] },
        { "weight-decay", ["--weight-decay", "-1"], ["--weight-decay must be a finite number >= 0 (got -1)"] },
        { "alpha", ["--alpha", "1"], ["--alpha", "must be in [0, 1) (got 1)"] },
        { "beta1", ["--beta1", "1"], ["--beta1 must be in [0, 1) (got 1)"] },
        { "beta2", ["--beta2", "1.5"], ["--beta2 must be in [0, 1) (got 1.5)"] },
        { "l2", ["--l2", "-1"], ["--l2 must be a number >= 0 (got -1)"] },
        { "label-smoothing", ["--label-smoothing", "1.5"], ["--label-smoothing must be in [0, 1] (got 1.5)"] },
        { "label-smoothing", ["--label-smoothing", "-0.1"], ["--label-smoothing must be in [0, 1] (got -0.1)"] },
        { "clip-grad-norm", ["--clip-grad-norm", "0"], ["--clip-grad-norm must be a positive number (got 0)"] },
        { "lr-schedule", ["--lr-schedule", "foo"], ["--lr-schedule", "'foo'", "constant, step, cosine, plateau, onecycle"] },
        { "warmup-epochs", ["--warmup-epochs", "-1"], ["--warmup-epochs must be at least 0 (got -1)"] },
        { "warmup-epochs", ["--warmup-epochs", "3", "--epochs", "3"], ["--warmup-epochs (3) must be fewer than --epochs (3)"] },
        { "lr-schedule", ["--lr-schedule", "onecycle", "--warmup-epochs", "1"], ["--warmup-epochs does not go with --lr-schedule onecycle"] },
        { "lr-step-size", ["--lr-step-size", "0"], ["--lr-step-size", "must be >= 1 (got 0)"] },
        { "lr-gamma", ["--lr-gamma", "0"], ["--lr-gamma", "must be a finite number > 0 (got 0)"] },
        { "lr-factor", ["--lr-factor", "1"], ["--lr-factor", "must be in (0, 1) (got 1)"] },
        { "lr-plateau-patience", ["--lr-plateau-patience", "-1"], ["--lr-plateau-patience", "must be >= 0 (got -1)"] },
        { "epochs", ["--epochs", "0"], ["--epochs must be at least 1 (got 0)"] },
        { "epochs", ["--epochs", "abc"], ["--epochs must be a whole number (got 'abc')"] },
        { "epochs", ["--epochs", "99999999999"], ["--epochs must be a whole number (got '99999999999')"] },
        { "batch-size", ["--batch-size", "-1"], ["--batch-size must be at least 1 (got -1)"] },
        { "no-shuffle", ["--no-shuffle", "maybe"], ["--no-shuffle is a switch", "'maybe'"] },
        { "augment", ["--augment", "maybe"], ["--augment is a switch", "'maybe'"] },
        { "random-crop", ["--random-crop", "-1"], ["--random-crop must be a number of pixels >= 0 (got -1)"] },
        { "hflip", ["--hflip", "1.5"], ["--hflip must be a probability in [0, 1] (got 1.5)"] },
        { "random-erasing", ["--random-erasing", "-0.1"], ["--random-erasing must be a probability in [0, 1] (got -0.1)"] },
        { "augment", ["--augment", "--hflip", "0.5"], ["--augment already shifts", "give either --augment or --random-crop / --hflip"] },
        { "arch", ["--arch", "conv(8,3) relu flatten dense(4) bogus(3)"], ["bogus"] },
        { "arch", ["--arch", "conv(8,3"], ["--arch"] },
        { "val-split", ["--val-split", "2.5"], ["--val-split", "got '2.5'", "whole number"] },
        { "val-split", ["--val-split", "-1"], ["--val-split", "got '-1'"] },
        { "val-split", ["--val-split", "240"], ["--val-split 240 holds out as many images as the training set has (240)"] },
        { "stratify", ["--stratify=maybe"], ["--stratify is a switch", "'maybe'"] },
        { "normalize", ["--normalize", "foo"], ["--normalize", "'foo'", "standardize, scale, none"] },
        { "val-from", ["--val-from", "first"], ["--val-from", "'first'", "random, last"] },
        { "val-from", ["--val-from", "last", "--stratify"], ["--stratify", "--val-from last", "give one or the other"] },
        { "patience", ["--patience", "0"], ["--patience must be at least 1 (got 0)"] },
        { "patience", ["--patience", "3", "--val-split", "0"], ["--patience needs a validation set"] },
        { "restore-best", ["--restore-best", "--val-split", "0"], ["--restore-best needs a validation set"] },
        { "seed", ["--seed", "1.5"], ["--seed must be a whole number (got '1.5')"] },
        { "threads", ["--threads", "0"], ["--threads must be at least 1 (got 0)"] },
    };

    [Theory]
    [MemberData(nameof(BadTrainValues))]
    public void Train_BadValue(string setting, string[] flags, string[] fragments)
    {
        Assert.True(TrainSettings.IsKnown(setting), setting);
        string run = Path.Combine(NewDir("runs"), "run");
        AssertBadInput(TrainArgs(_h.DataDir, run, flags), run, fragments);
    }

    [Fact]
    public void EveryTrainSetting_HasABadValueCase()
    {
        var covered = BadTrainValues().Select(row => (string)row[0]).ToHashSet();
        var missing = TrainSettings.All.Select(s => s.Name).Where(n => !covered.Contains(n)).ToList();
        Assert.True(missing.Count == 0, $"settings without a bad-value case: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Train_BadDatasetName_WithoutData()
    {
        string run = Path.Combine(NewDir("runs"), "run");
        AssertBadInput(["train", "--dataset", "../etc", "--out", run, "--store", _h.StorePath], run, "Data set name '../etc' is not valid");
    }

    [Theory]
    [InlineData("eval", "--threads")]
    [InlineData("sweep", "--max-trials")]
    [InlineData("sweep", "--epochs")]
    public void WholeNumberFlags_NameTheFlag(string command, string flag)
    {
        string[] args = command == "eval"
            ? ["eval", "--model", fixture.RunDir, "--data", _h.DataDir, flag, "abc"]
            : ["sweep", "spec.yaml", "--store", _h.StorePath, flag, "abc"];
        AssertBadInput(args, null, $"{flag} must be a whole number (got 'abc')");
    }
}
