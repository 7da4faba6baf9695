using System.Diagnostics;
using FcnLab.Engine.Training;
using FcnLab.Lab.Store;
using Xunit.Abstractions;

namespace FcnLab.Cli.Tests;

/// <summary>
/// A search through `fcnlab sweep`: killed with SIGKILL in the middle of a trial, the same command goes on and ends with
/// the trials, settings and results of a search never stopped; --timeout stops it between trials; status reads it.
/// </summary>
public sealed class SearchCommandTests(ITestOutputHelper log) : IDisposable
{
    private readonly CliHarness _h = new(train: 1500, test: 100, size: 8, classes: 4);

    public void Dispose() => _h.Dispose();

    /// <summary>A TPE search of 6 trials, 8 epochs each, ASHA pruning (rungs at epochs 1, 2, 4).</summary>
    internal static string WriteSearchSpec(string path, string name, string dataDir, int trials = 6, int epochs = 8)
    {
        File.WriteAllText(path, $"""
            name: {name}
            base: {"{"} data: "{dataDir}", dataset: tiny, epochs: {epochs}, batch_size: 8, threads: 1, seed: 11 {"}"}
            method: tpe
            trials: {trials}
            objective: val_accuracy
            pruner: {"{"}kind: asha, min_epochs: 1, reduction_factor: 2{"}"}
            space:
              lr: {"{"}log_uniform: [0.001, 0.3]{"}"}
              optimizer: {"{"}choice: [sgd, adam]{"}"}
              hidden: {"{"}layers: {"{"}int: [1, 2]{"}"}, width: {"{"}int_log: [8, 32]{"}"}{"}"}
            """);
        return path;
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    public void ATimeoutOfNoTime_IsRefused(string seconds)
    {
        string spec = WriteSearchSpec(_h.Path_("search.yaml"), "search", _h.DataDir);
        var (code, output, err) = _h.Run("sweep", spec, "--store", _h.StorePath, "--timeout", seconds);
        Assert.True(code == 2, err + output);
        Assert.Contains($"--timeout must be a number of seconds above 0 (got {seconds})", err);
    }

    [Fact]
    public void KilledMidTrial_TheSameCommandEndsWithTheTrialsOfASearchNeverStopped()
    {
        string spec = WriteSearchSpec(_h.Path_("search.yaml"), "search", _h.DataDir);
        string killedStore = _h.Path_("killed/fcnlab.db"), wholeStore = _h.Path_("whole/fcnlab.db");

        // --timeout: the store's bookkeeping alone outlasts a microsecond, so no trial starts.
        var (tc, tout, terr) = _h.Run("sweep", spec, "--store", killedStore, "--timeout", "0.000001");
        Assert.True(tc == 0, terr + tout);
        Assert.Contains("--timeout 1E-06 s reached: no further trial starts", tout);
        Assert.Contains("sweep search: 6 trials: 0 completed, 0 early-stopped, 0 diverged, 0 failed, 6 not yet run", tout);

        var clock = Stopwatch.StartNew();
        TrialRecord? killed = null;
        using (var process = new FcnlabProcess("sweep", spec, "--store", killedStore, "--quiet"))
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(180) && killed == null)
            {
                Thread.Sleep(50);
                using var store = RunStores.Open(killedStore);
                var trials = store.ListTrials("search");
                if (trials.Count(t => t.Status.IsFinal()) < 2) continue;
                if (trials.FirstOrDefault(t => t.Status == RunStatus.Running) is { } running && store.GetEpochs(running.RunId).Count > 0
                    && File.Exists(Path.Combine(running.Definition.RunDir, "checkpoint.fcnlab")))
                {
                    process.Kill();
                    killed = store.GetTrial(running.RunId);
                }
            }
            Assert.True(killed != null, "the search never reached the middle of its third trial:\n" + process.Output);
        }
        var (code, output, err) = _h.Run("sweep", spec, "--store", killedStore);
        Assert.True(code == 0, err + output);
        Assert.Contains("1 taken back from a stopped process", output);
        Assert.Contains($"{killed!.TrialId} ", output);
        Assert.Contains("(resuming from its checkpoint)", output);

        var (wc, wout, werr) = _h.Run("sweep", spec, "--store", wholeStore);
        Assert.True(wc == 0, werr + wout);
        log.WriteLine(wout);

        using var a = RunStores.Open(killedStore);
        using var b = RunStores.Open(wholeStore);
        var left = a.ListTrials("search");
        var right = b.ListTrials("search");
        Assert.Equal(6, left.Count);
        Assert.Equal(6, right.Count);
        Assert.All(left, t => Assert.True(t.Status is RunStatus.Completed or RunStatus.Pruned, t.Status.ToText()));
        Assert.Contains(left, t => t.Status == RunStatus.Pruned);
        foreach (var (x, y) in left.Zip(right))
        {
            Assert.Equal((x.Definition.Repeat, x.TrialId, x.Definition.Seed, x.Status), (y.Definition.Repeat, y.TrialId, y.Definition.Seed, y.Status));
            Assert.Equal(x.Definition.Point, y.Definition.Point);
            Assert.Equal(x.Summary! with { TrainSeconds = 0, SecondsPerEpoch = 0 }, y.Summary! with { TrainSeconds = 0, SecondsPerEpoch = 0 });
            Assert.Equal(a.GetEpochs(x.RunId).Select(e => e with { Seconds = 0 }), b.GetEpochs(y.RunId).Select(e => e with { Seconds = 0 }));
        }
        Assert.Equal(2, a.GetTrial(killed.RunId)!.Attempts);

        var (sc, sout, serr) = _h.Run("status", "search", "--store", killedStore);
        Assert.True(sc == 0, serr + sout);
    }
}
