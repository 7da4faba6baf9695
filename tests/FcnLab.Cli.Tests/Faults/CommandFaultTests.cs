using FcnLab.Engine.Data;
using FcnLab.Engine.Models;
using FcnLab.Interop.SafeTensors;
using FcnLab.Lab.Store;

namespace FcnLab.Cli.Tests.Faults;

/// <summary>
/// Issue 14, points 1 and 6 for the commands around a run: `eval`, `predict` and `import` given a model that is not
/// there or cannot be read, or an output the file system refuses, end in one error line and exit 2 with no temp file;
/// a training that would run zero steps is refused before it starts, and nothing is recorded.
/// </summary>
public sealed class CommandFaultTests : IDisposable
{
    private readonly CliHarness _h = new();

    public void Dispose() => _h.Dispose();

    private string TestImages => Path.Combine(_h.DataDir, DatasetCatalog.TestImagesFile);

    /// <summary>A model file of <paramref name="hidden"/>, exported as safetensors (with its sidecar) for import.</summary>
    private string Exported(string hidden)
    {
        string run = _h.Path_($"run-{hidden}");
        var trained = _h.Train(run, "--hidden", hidden, "--epochs", "1");
        Assert.True(trained.Code == 0, trained.Err);
        string exported = _h.Path_($"m-{hidden}.safetensors");
        SafeTensorsExporter.Write(ModelFile.Load(run), exported);
        return exported;
    }

    [Fact]
    public void ATrainingOfZeroSteps_IsRefusedBeforeItStarts_AndNothingIsRecorded()
    {
        // 240 training images, 239 held out: one image is left, and batch norm cannot normalize a batch of one.
        string run = _h.Path_("one-image");
        var (code, _, err) = _h.Train(run, "--batch-norm", "--val-split", "239");
        Assert.Equal(2, code);
        FileFaultTests.AssertOneErrorLine(err, "The training split holds one image (240 images, 239 held out by --val-split 239), and batch norm cannot normalize a batch of one: training would run zero steps.");
        Assert.False(File.Exists(Path.Combine(run, "summary.json")));
        Assert.False(File.Exists(Path.Combine(run, "model.fcnlab")));
        if (File.Exists(_h.StorePath))
        {
            using var store = RunStores.Open(_h.StorePath);
            Assert.Empty(store.ListTrials());
        }

        // The same network on two images trains (a batch of two).
        var two = _h.Train(_h.Path_("two-images"), "--batch-norm", "--val-split", "238", "--epochs", "1");
        Assert.True(two.Code == 0, two.Err);
    }

    [Fact]
    public void ADataSetWithNoTrainingImages_IsRefusedWhenLoaded()
    {
        // The loader refuses it before the trainer's zero-step check is reached.
        using var empty = new CliHarness(train: 0);
        var (code, _, err) = empty.Train(empty.Path_("run"), "--val-split", "0");
        Assert.Equal(2, code);
        FileFaultTests.AssertOneErrorLine(err, "declares zero");
        Assert.False(File.Exists(empty.StorePath));
    }

    [Theory]
    [InlineData("eval")]
    [InlineData("predict")]
    public void AMissingOrUnreadableModel_IsOneErrorLine(string command)
    {
        string[] Args(string model) => command == "eval"
            ? ["eval", "--model", model, "--data", _h.DataDir, "--dataset", "tiny"]
            : ["predict", "--model", model, TestImages];

        string missing = _h.Path_("missing.fcnlab");
        var (code, _, err) = _h.Run(Args(missing));
        Assert.Equal(2, code);
        FileFaultTests.AssertOneErrorLine(err, missing);

        string garbage = _h.Path_("garbage.fcnlab");
        File.WriteAllText(garbage, "not a model");
        (code, _, err) = _h.Run(Args(garbage));
        Assert.Equal(2, code);
        FileFaultTests.AssertOneErrorLine(err, garbage);

        string emptyRun = _h.Path_("empty-run");
        Directory.CreateDirectory(emptyRun);
        (code, _, err) = _h.Run(Args(emptyRun));
        Assert.Equal(2, code);
        FileFaultTests.AssertOneErrorLine(err, emptyRun);
    }

    [Fact]
    public void ImportIntoAPathBelowAFile_IsOneErrorLine_AndWritesNothing()
    {
        string exported = Exported("16");
        string file = _h.Path_("a-file");
        File.WriteAllText(file, "not a directory");
        var (code, _, err) = _h.Run("import", "--from", exported, "--hidden", "16", "--out", Path.Combine(file, "m.fcnlab"));
        Assert.Equal(2, code);
        FileFaultTests.AssertOneErrorLine(err, $"Cannot create the directory {file}: it already exists as a file.");
        FileFaultTests.AssertNoTempFiles(_h.Root);
    }

    [MountFact]
    public void ImportOntoAFullDisk_IsOneErrorLine_LeavesNoTempFile_AndWorksOnceThereIsSpace()
    {
        // 64 * 512 weights of 4 bytes: a model file of ~130 KB on a 64 KiB disk.
        string exported = Exported("512");
        using var disk = FaultFileSystem.Tmpfs(kilobytes: 64);
        string output = Path.Combine(disk.Path, "m.fcnlab");
        var (code, _, err) = _h.Run("import", "--from", exported, "--hidden", "512", "--out", output);
        Assert.Equal(2, code);
        FileFaultTests.AssertOneErrorLine(err, "the disk is full");
        FileFaultTests.AssertNoTempFiles(disk.Path);
        Assert.False(File.Exists(output));

        using var larger = FaultFileSystem.Tmpfs(kilobytes: 1024);
        var retry = _h.Run("import", "--from", exported, "--hidden", "512", "--out", Path.Combine(larger.Path, "m.fcnlab"));
        Assert.True(retry.Code == 0, retry.Err);
    }
}
