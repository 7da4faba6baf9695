using FcnLab.Engine.Training;
using FcnLab.Lab.Store;
using Microsoft.Data.Sqlite;

namespace FcnLab.Cli.Tests.Faults;

/// <summary>Issue 14, point 4: a store locked by another process, a read-only store, a store that does not exist.</summary>
public sealed class StoreFaultTests : IDisposable
{
    private readonly CliHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public void ReadingAStoreThatDoesNotExist_SaysSo_AndCreatesNothing()
    {
        string missing = _h.Path_("nowhere/fcnlab.db");
        foreach (string[] args in new[] { new[] { "runs" }, ["show", "1"], ["status", "grid"], ["report", "grid"] })
        {
            var (code, _, err) = _h.Run([.. args, "--store", missing]);
            Assert.Equal(2, code);
            FileFaultTests.AssertOneErrorLine(err, $"No run store at {missing}: nothing has been recorded there");
        }
        Assert.False(Directory.Exists(_h.Path_("nowhere")));
    }

    [Fact]
    public void AStoreLockedByAnotherProcess_IsWaitedForTheStoreTimeout_ThenOneErrorLine_AndWorksOnceReleased()
    {
        Assert.Equal(0, _h.Train(_h.Path_("first"), "--epochs", "1").Code);
        using (var holder = new SqliteConnection($"Data Source={_h.StorePath};Pooling=False"))
        {
            holder.Open();
            using (var begin = holder.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE";
                begin.ExecuteNonQuery();
            }
            var (code, _, err) = _h.Train(_h.Path_("second"), "--epochs", "1", "--store-timeout", "1");
            Assert.Equal(2, code);
            FileFaultTests.AssertOneErrorLine(err, $"The run store {_h.StorePath} is locked by another process; waited 1 s for it. Try again when that process is done, or wait longer with --store-timeout SECONDS.");
        }
        var retry = _h.Train(_h.Path_("third"), "--epochs", "1", "--store-timeout", "1");
        Assert.True(retry.Code == 0, retry.Err);
        using var store = RunStores.Open(_h.StorePath);
        Assert.DoesNotContain(store.ListTrials(), t => t.Status == RunStatus.Running);
    }

    [Fact]
    public void AStoreTimeoutOutOfRange_IsRefused()
    {
        var (code, _, err) = _h.Run("runs", "--store-timeout", "-1");
        Assert.Equal(2, code);
        FileFaultTests.AssertOneErrorLine(err, "--store-timeout must be from 0 to 86400 seconds (got -1)");
    }

    [MountFact]
    public void AReadOnlyStore_IsStillRead_ByRunsShowAndReportElsewhere_AndWritingItIsOneErrorLine()
    {
        string storeDir = _h.Path_("store");
        string store = Path.Combine(storeDir, "fcnlab.db");
        string spec = _h.Path_("ro.yaml");
        File.WriteAllText(spec, $"""
            name: ro
            base: {"{"} data: "{_h.DataDir}", dataset: tiny, hidden: [8], epochs: 1, batch_size: 32, threads: 1 {"}"}
            axes:
              lr: [0.01]
            """);
        var sweep = _h.Run("sweep", spec, "--store", store);
        Assert.True(sweep.Code == 0, sweep.Err);
        using var readOnly = FaultFileSystem.ReadOnlyView(storeDir);
        string roStore = Path.Combine(readOnly.Path, "fcnlab.db");

        var runs = _h.Run("runs", "--store", roStore);
        Assert.True(runs.Code == 0, runs.Err);
        Assert.Contains("completed", runs.Out);
        var show = _h.Run("show", "1", "--store", roStore);
        Assert.True(show.Code == 0, show.Err);
        var report = _h.Run("report", "ro", "--store", roStore, "--out", _h.Path_("report"));
        Assert.True(report.Code == 0, report.Err);
        Assert.True(File.Exists(_h.Path_("report/report.html")));

        var train = _h.Train(_h.Path_("run"), "--store", roStore);
        Assert.Equal(2, train.Code);
        FileFaultTests.AssertOneErrorLine(train.Err, $"Cannot write the run store {roStore}: it is on a read-only file system");
    }
}
