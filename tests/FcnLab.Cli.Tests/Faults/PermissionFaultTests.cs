using FcnLab.Engine.Training;
using FcnLab.Lab.Store;

namespace FcnLab.Cli.Tests.Faults;

/// <summary>
/// Issue 14, point 1, permission denied: root ignores file modes, so `fcnlab` runs as user nobody (a child process
/// through setpriv) against directories root owns and nobody cannot write. One error line, exit 2, nothing written.
/// </summary>
public sealed class PermissionFaultTests : IDisposable
{
    private const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private readonly CliHarness _h = new();
    private readonly string _shared, _locked;

    public PermissionFaultTests()
    {
        // The harness's directory is private to its owner (a temp subdirectory): let nobody read the data in it, as
        // on a shared machine; nobody may write in `shared` (its store and working directory), not in `locked`.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_h.Root, Readable);
            _shared = Directory.CreateDirectory(_h.Path_("shared"), Readable | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite).FullName;
            _locked = Directory.CreateDirectory(_h.Path_("locked"), Readable).FullName;
        }
        else
        {
            (_shared, _locked) = (_h.Path_("shared"), _h.Path_("locked"));
        }
    }

    public void Dispose() => _h.Dispose();

    private string AsNobody(params string[] args)
    {
        using var p = new FcnlabProcess(args, _shared, asNobody: true);
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(3)), p.Output);
        Assert.Equal(2, p.ExitCode);
        return p.Output;
    }

    [NobodyFact]
    public void TrainAndExportIntoADirectoryNobodyCannotWrite_AreOneErrorLine_AndWriteNothing()
    {
        string store = Path.Combine(_shared, "fcnlab.db");
        string output = AsNobody("train", "--data", _h.DataDir, "--dataset", "tiny", "--hidden", "16", "--epochs", "1", "--threads", "1",
            "--out", Path.Combine(_locked, "run"), "--store", store);
        FileFaultTests.AssertOneErrorLine(output, $"Cannot create the directory {Path.Combine(_locked, "run")}: permission denied.");
        Assert.Empty(Directory.EnumerateFileSystemEntries(_locked));
        if (File.Exists(store))
        {
            using var runs = RunStores.Open(store);
            Assert.DoesNotContain(runs.ListTrials(), t => t.Status == RunStatus.Running);
        }

        // A model that nobody may read, exported into the directory nobody cannot write.
        string model = _h.Path_("model-run");
        Assert.Equal(0, _h.Train(model, "--hidden", "16", "--epochs", "1").Code);
        output = AsNobody("export", "--model", model, "--format", "onnx", "--out", Path.Combine(_locked, "m.onnx"));
        FileFaultTests.AssertOneErrorLine(output, "permission denied");
        Assert.Empty(Directory.EnumerateFileSystemEntries(_locked));
    }
}
