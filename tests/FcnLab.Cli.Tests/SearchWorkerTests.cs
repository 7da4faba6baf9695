using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using FcnLab.Engine.Training;
using FcnLab.Lab.Store;
using FcnLab.Lab.Tests.Store;
using Xunit.Abstractions;

namespace FcnLab.Cli.Tests;

/// <summary>
/// A search on two `fcnlab worker` processes through PostgreSQL, one SIGKILLed in the middle of a trial: every trial
/// number is trained once, none is lost, the killed one is taken back and resumed from its checkpoint, and every
/// pruning decision stands against the values stored at its rung.
/// </summary>
public sealed partial class SearchWorkerTests(PostgresDatabase database, ITestOutputHelper log) : IClassFixture<PostgresDatabase>, IDisposable
{
    private const int Trials = 10, Epochs = 8;
    private readonly CliHarness _h = new(train: 1200, test: 60, size: 8, classes: 4);

    public void Dispose() => _h.Dispose();

    [GeneratedRegex(@"^pruned at epoch (\d+): val_accuracy (\S+) below the rung's top 1/2 \((\S+): the best (\d+) of (\d+) trials at epoch (\d+)\)$")]
    private static partial Regex AshaReason();

    [PostgresFact]
    public void TwoWorkers_OneKilledMidTrial_NoTrialLostDuplicatedOrMisPruned()
    {
        string store = PostgresTestServer.Url(database.ConnectionString);
        string spec = SearchCommandTests.WriteSearchSpec(_h.Path_("search.yaml"), "psearch", _h.DataDir, Trials, Epochs);
        string artifacts = _h.Path_("shared");
        var (code, output, err) = _h.Run("sweep", spec, "--store", store, "--submit-only", "--artifacts", artifacts);
        Assert.True(code == 0, err + output);
        Assert.Contains("search psearch recorded in", output);
        Assert.Contains($"{Trials} trials, 0 final; workers make the others one at a time", output);

        const double Grace = 3;
        FcnlabProcess Worker(int i) => new("worker", "--store", store, "--sweep", "psearch", "--exit-when-idle", "--grace-seconds",
            Grace.ToString(CultureInfo.InvariantCulture), "--artifacts", artifacts, "--threads", "1", "--worker-name", $"node{i}");
        var workers = new List<FcnlabProcess> { Worker(1), Worker(2) };
        var clock = Stopwatch.StartNew();
        TrialRecord? killed = null;
        FcnlabProcess? victim = null;
        try
        {
            using (var s = RunStores.Open(store))
            {
                while (clock.Elapsed < TimeSpan.FromSeconds(180) && killed == null)
                {
                    Thread.Sleep(20);
                    var running = s.ListTrials("psearch").FirstOrDefault(t => t.Status == RunStatus.Running && s.GetEpochs(t.RunId).Count is > 0 and <= 3
                        && File.Exists(Path.Combine(artifacts, "psearch", t.TrialId, "checkpoint.fcnlab")));
                    if (running == null) continue;
                    victim = workers.Single(w => running.Owner!.EndsWith(":" + w.Id.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
                    victim.Kill();
                    killed = s.GetTrial(running.RunId);
                }
            }
            Assert.True(killed != null, "no worker was ever in the middle of a trial");
            var survivor = workers.Single(w => w != victim);
            Assert.True(survivor.WaitForExit(TimeSpan.FromSeconds(300)), survivor.Output);
            Assert.True(survivor.ExitCode == 0, survivor.Output);
            log.WriteLine(survivor.Output);
        }
        finally
        {
            foreach (var w in workers) w.Dispose();
        }

        using var after = RunStores.Open(store);
        var history = after.GetHistory("psearch");
        // None lost, none duplicated: numbers 0..9 once each, every trial final, its epochs those it ran.
        Assert.Equal(Enumerable.Range(0, Trials), history.Select(h => h.Trial.Definition.Repeat).Order());
        Assert.Equal(Trials, history.Select(h => h.Trial.TrialId).Distinct().Count());
        Assert.Contains(history, h => h.Trial.Status == RunStatus.Pruned);
        Assert.All(history, h => Assert.True(h.Trial.Status is RunStatus.Completed or RunStatus.Pruned, $"{h.Trial.TrialId}: {h.Trial.Status.ToText()}"));
        Assert.All(history, h => Assert.Equal(Enumerable.Range(1, h.Trial.Summary!.EpochsRun), h.Epochs.Select(e => e.Epoch)));
        var outcomes = workers.SelectMany(w => w.Output.Split('\n')).Where(l => l.Contains(" of sweep psearch completed", StringComparison.Ordinal) || l.Contains(" of sweep psearch pruned", StringComparison.Ordinal)).ToList();
        Assert.Equal(Trials, outcomes.Count);

        // The killed trial: taken back after the grace and resumed from its checkpoint by the survivor, to the end its pruner chose.
        var resumed = history.Single(h => h.Trial.RunId == killed!.RunId);
        Assert.True(resumed.Trial.Attempts >= 2, $"{resumed.Trial.Attempts} attempts");
        Assert.Matches($@"trial {killed!.TrialId} of sweep psearch started \([^)]*attempt 2\), resuming from its checkpoint", string.Join("\n", workers.Select(w => w.Output)));

        // Not mis-pruned: a pruned trial stopped at a rung (1, 2 or 4; never the last epoch), below the cut it names, which is
        // a value some trial had at that rung, with no more trials counted than reached it; a completed trial ran all its epochs.
        foreach (var h in history)
        {
            var s = h.Trial.Summary!;
            if (h.Trial.Status == RunStatus.Completed)
            {
                Assert.Equal(Epochs, s.EpochsRun);
                continue;
            }
            var m = AshaReason().Match(s.PruneReason ?? "");
            Assert.True(m.Success, s.PruneReason);
            int e = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.Contains(e, new[] { 1, 2, 4 });
            Assert.Equal(e, s.EpochsRun);
            double value = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), cut = double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
            Assert.Equal(h.Epochs[e - 1].ValAccuracy!.Value.ToString("G6", CultureInfo.InvariantCulture), m.Groups[2].Value);
            Assert.True(value < cut);
            var atRung = history.Where(o => o.Epochs.Count >= e).Select(o => o.Epochs[e - 1].ValAccuracy!.Value.ToString("G6", CultureInfo.InvariantCulture)).ToList();
            Assert.Contains(m.Groups[3].Value, atRung);
            int n = int.Parse(m.Groups[5].Value, CultureInfo.InvariantCulture);
            Assert.InRange(n, 1, atRung.Count);
            Assert.Equal(Math.Max(1, n / 2), int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture));
        }
    }
}
