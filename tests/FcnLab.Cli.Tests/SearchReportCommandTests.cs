using FcnLab.Engine.Training;
using FcnLab.Lab.Store;

namespace FcnLab.Cli.Tests;

/// <summary>Issue 16, point 6: `fcnlab report` on a search run by `fcnlab sweep` writes the search's plots, recipe and CSV.</summary>
public sealed class SearchReportCommandTests : IDisposable
{
    private readonly CliHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public void ReportOfASearch_WritesItsPlotsTheBestTrialsCommandAndSpec_AndTheSpecRetrainsIt()
    {
        _h.RunTinySearch("tiny-search", epochs: 3);

        string outDir = _h.Path_("report");
        var (code, output, err) = _h.Run("report", "tiny-search", "--store", _h.StorePath, "--out", outDir);
        Assert.True(code == 0, err + output);
        foreach (var f in new[] { "report.html", "table.md", "search.csv", "best_trial_command.txt", "best_trial.yaml", "search_history.svg", "search_compute.svg",
                     "search_curves.svg", "search_importance.svg", "search_slice_lr.svg", "search_slice_optimizer.svg" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        Assert.Equal(6, File.ReadAllLines(Path.Combine(outDir, "search.csv")).Length);
        string command = File.ReadAllText(Path.Combine(outDir, "best_trial_command.txt")).Trim();
        Assert.StartsWith("fcnlab train --data ", command);
        Assert.Contains("<h2>Search</h2>", File.ReadAllText(Path.Combine(outDir, "report.html")));

        // Compared with another search (here the same one under another name, without a pruner): one more chart.
        File.WriteAllText(_h.Path_("unpruned.yaml"), File.ReadAllText(_h.Path_("tiny-search.yaml"))
            .Replace("name: tiny-search", "name: unpruned", StringComparison.Ordinal).Replace("pruner: {kind: asha, min_epochs: 1, reduction_factor: 2}", "pruner: none", StringComparison.Ordinal));
        Assert.Equal(0, _h.Run("sweep", _h.Path_("unpruned.yaml"), "--store", _h.StorePath, "--quiet").Code);
        (code, output, err) = _h.Run("report", "tiny-search", "--store", _h.StorePath, "--out", outDir, "--compare", "unpruned");
        Assert.True(code == 0, err + output);
        string compared = File.ReadAllText(Path.Combine(outDir, "search_compare.svg"));
        Assert.Contains("tiny-search (ASHA, min 1 epochs, reduction factor 2)", compared);
        Assert.Contains("unpruned (no pruner)", compared);
        Assert.Equal(2, _h.Run("report", "tiny-search", "--store", _h.StorePath, "--out", outDir, "--compare", "nosuch").Code);
        Assert.Equal(0, _h.Run("report", "tiny-search", "--store", _h.StorePath, "--out", outDir).Code);
        Assert.False(File.Exists(Path.Combine(outDir, "search_compare.svg"))); // a stale comparison is removed

        // The recipe is a sweep spec: it trains the best point again, here over its 3 seeds.
        var (rc, _, rerr) = _h.Run("sweep", Path.Combine(outDir, "best_trial.yaml"), "--store", _h.StorePath, "--quiet");
        Assert.True(rc == 0, rerr);
        var (lc, list, _) = _h.Run("runs", "--store", _h.StorePath, "--sweep", "tiny-search-best");
        Assert.Equal(0, lc);
        Assert.Contains("3 runs in", list);
    }

    [Fact]
    public void Status_CountsPrunedTrials_AndTheTrialsNotSuggestedYetAsLeft()
    {
        _h.RunTinySearch("tiny-search", epochs: 3, "--max-trials", "4");
        int pruned, completed;
        using (var store = SqliteRunStore.Open(_h.StorePath))
        {
            var trials = store.ListTrials("tiny-search");
            Assert.Equal(4, trials.Count);
            pruned = trials.Count(t => t.Status == RunStatus.Pruned);
            completed = trials.Count(t => t.Status == RunStatus.Completed);
        }
        Assert.Equal(4, pruned + completed);
        Assert.True(pruned > 0, "ASHA at halving rungs prunes some of this seed's first 4 trials");

        var (code, output, err) = _h.Run("status", "tiny-search", "--store", _h.StorePath);
        Assert.True(code == 0, err + output);
        // 5 in all: the one not suggested yet is pending, and left.
        Assert.Contains($"sweep tiny-search: 5 trials: 1 pending, 0 running, {completed} completed, 0 early-stopped, 0 diverged, {pruned} pruned, 0 failed, 0 interrupted", output);
        Assert.Contains("for the 1 trial left at that pace", output);
    }
}
