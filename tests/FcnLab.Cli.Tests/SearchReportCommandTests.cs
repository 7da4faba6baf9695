namespace FcnLab.Cli.Tests;

/// <summary>Issue 16, point 6: `fcnlab report` on a search run by `fcnlab sweep` writes the search's plots, recipe and CSV.</summary>
public sealed class SearchReportCommandTests : IDisposable
{
    private readonly CliHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public void ReportOfASearch_WritesItsPlotsTheBestTrialsCommandAndSpec_AndTheSpecRetrainsIt()
    {
        string spec = _h.Path_("search.yaml");
        File.WriteAllText(spec, $"""
            name: tiny-search
            base: {"{"} data: "{_h.DataDir}", dataset: tiny, epochs: 3, batch_size: 32, hidden: [16], val_split: 0.2, threads: 1, seed: 3 {"}"}
            method: random
            trials: 5
            pruner: {"{"}kind: asha, min_epochs: 1, reduction_factor: 2{"}"}
            space:
              lr: {"{"}log_uniform: [0.001, 0.5]{"}"}
              optimizer: {"{"}choice: [sgd, adam]{"}"}
            """);
        var (code, _, err) = _h.Run("sweep", spec, "--store", _h.StorePath, "--quiet");
        Assert.True(code == 0, err);

        string outDir = _h.Path_("report");
        (code, var output, err) = _h.Run("report", "tiny-search", "--store", _h.StorePath, "--out", outDir);
        Assert.True(code == 0, err + output);
        foreach (var f in new[] { "report.html", "table.md", "search.csv", "best_trial_command.txt", "best_trial.yaml", "search_history.svg", "search_compute.svg",
                     "search_curves.svg", "search_importance.svg", "search_slice_lr.svg", "search_slice_optimizer.svg" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        Assert.Equal(6, File.ReadAllLines(Path.Combine(outDir, "search.csv")).Length);
        string command = File.ReadAllText(Path.Combine(outDir, "best_trial_command.txt")).Trim();
        Assert.StartsWith("fcnlab train --data ", command);
        Assert.Contains("<h2>Search</h2>", File.ReadAllText(Path.Combine(outDir, "report.html")));

        // The recipe is a sweep spec: it trains the best point again, here over its 3 seeds.
        var (rc, _, rerr) = _h.Run("sweep", Path.Combine(outDir, "best_trial.yaml"), "--store", _h.StorePath, "--quiet");
        Assert.True(rc == 0, rerr);
        var (lc, list, _) = _h.Run("runs", "--store", _h.StorePath, "--sweep", "tiny-search-best");
        Assert.Equal(0, lc);
        Assert.Contains("3 runs in", list);
    }
}
