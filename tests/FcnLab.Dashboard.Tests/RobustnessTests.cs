using System.Globalization;
using System.Text;
using System.Xml.Linq;
using FcnLab.Engine.Training;
using FcnLab.Lab.Reports;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;

namespace FcnLab.Dashboard.Tests;

/// <summary>The run view with long runs and broken run directories: it renders, downsampled (never truncated), and a broken file spoils only its own chart.</summary>
public sealed class RobustnessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fcnlab-dashboard-robust-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static RunPage.Data Run(RunStatus status, string runDir, RunProgress? progress = null, int epochs = 10) => new(
        new TrialRecord
        {
            RunId = 7,
            Definition = new TrialDefinition { TrialId = "t", ConfigJson = "{}", RunDir = runDir },
            Status = status,
            Attempts = 1,
        },
        [.. Enumerable.Range(1, epochs).Select(e => new EpochMetrics(e, 1.0 / e, 0.5, 1.1 / e, 0.6, 0.01, 1))],
        progress,
        null);

    /// <summary>The step chart's SVG and every path's point count.</summary>
    private static (XDocument Svg, List<int> PathPoints, string Note) Steps(RunPage.Data d)
    {
        var charts = RunPage.Charts(d, 0.6, new TestImages(), new ModelSummaries(), out string note);
        var svg = XDocument.Parse(charts.Single(c => c.Id == "steps").Svg);
        var paths = svg.Descendants().Where(e => e.Name.LocalName == "path").Select(p => p.Attribute("d")!.Value.Split(' ').Length).ToList();
        return (svg, paths, note);
    }

    [Fact]
    public void AFinalRunOf100000Steps_DrawsEveryStepDownsampled()
    {
        var csv = new StringBuilder("epoch,step,loss,lr\n");
        for (int i = 1; i <= 100_000; i++)
            csv.Append(CultureInfo.InvariantCulture, $"{(i - 1) / 10_000 + 1},{(i - 1) % 10_000 + 1},{(i == 65_432 ? 9.5 : 1.0 / Math.Sqrt(i)):R},0.01\n");
        File.WriteAllText(Path.Combine(_dir, "steps.csv"), csv.ToString());
        var d = Run(RunStatus.Completed, _dir);
        var (svg, paths, note) = Steps(d);
        Assert.Equal("every step from steps.csv (100000 steps)", note);
        Assert.Equal(2, paths.Count); // the raw loss and its debiased EMA
        Assert.All(paths, n => Assert.InRange(n, 400, 1600));
        var texts = svg.Descendants().Where(e => e.Name.LocalName == "text").Select(t => t.Value).ToList();
        Assert.Contains("100000", texts); // the x axis reaches the last step: nothing cut off
        Assert.Contains("10", texts); // the spike at step 65,432 (9.5) is kept: the y axis reaches 10
        string page = RunPage.Render(d, 0.6, new TestImages(), new ModelSummaries());
        Assert.Contains("id=\"chart-steps\"", page);
        string epochsTable = page[page.IndexOf("id=\"epochs\"", StringComparison.Ordinal)..];
        Assert.Equal(10, epochsTable[..epochsTable.IndexOf("</table>", StringComparison.Ordinal)].Split("<tr>").Length - 2); // less the header row
    }

    [Fact]
    public void ARunningRunWith100000PublishedPoints_Renders()
    {
        var points = Enumerable.Range(1, 100_000).Select(i => new LossPoint((i - 1) / 1000 + 1, (i - 1) % 1000 + 1, 1, 2.0 / Math.Sqrt(i), DateTime.UnixEpoch)).ToList();
        var progress = new RunProgress(new ProgressPosition(100, 200, 1000, 1000, 0.2, 500), DateTime.UnixEpoch, points);
        var d = Run(RunStatus.Running, Path.Combine(_dir, "elsewhere"), progress);
        var (_, paths, note) = Steps(d);
        Assert.StartsWith("100000 points published to the store", note);
        Assert.All(paths, n => Assert.InRange(n, 400, 1600));
        Assert.Contains("epoch 100/200, step 1000/1000", RunPage.Render(d, 0.6, new TestImages(), new ModelSummaries()));
    }

    [Fact]
    public void ACorruptStepsCsv_SpoilsOnlyTheStepChart()
    {
        File.WriteAllText(Path.Combine(_dir, "steps.csv"), "epoch,step,loss,lr\n1,1,0.5,0.1\n1,2,garbage\n");
        var d = Run(RunStatus.Completed, _dir);
        string page = RunPage.Render(d, 0.6, new TestImages(), new ModelSummaries());
        Assert.Contains("steps.csv could not be read", page);
        Assert.Contains("malformed row: 1,2,garbage", page);
        foreach (string chart in (string[])["loss", "accuracy", "lr", "steps"])
            Assert.Contains($"id=\"chart-{chart}\"", page);
        // A run directory that is gone: the store's points instead, and a note saying so.
        Directory.Delete(_dir, recursive: true);
        Directory.CreateDirectory(_dir);
        Assert.Contains("no progress published to the store", RunPage.Render(d, 0.6, new TestImages(), new ModelSummaries()));
    }

    [Fact]
    public void ASweepOf1000Trials_Renders_WithEveryRowAndALineEachInTheParallelCoordinates()
    {
        var trials = Enumerable.Range(1, 1000).Select(i => new TrialResult(
            new TrialRecord
            {
                RunId = i,
                Definition = new TrialDefinition
                {
                    TrialId = i.ToString("x12", CultureInfo.InvariantCulture), Sweep = "big", Repeat = 0, ConfigJson = "{}", RunDir = "r",
                    Point = [new("lr", (0.0001 * i).ToString("R", CultureInfo.InvariantCulture)), new("hidden", (i % 7 * 16 + 16).ToString(CultureInfo.InvariantCulture))],
                },
                Status = i % 10 == 0 ? RunStatus.Failed : RunStatus.Completed,
                Summary = i % 10 == 0 ? null : new RunSummary { Status = RunStatus.Completed, TestAccuracy = 0.5 + i / 4000.0, EpochsRun = 3 },
                Attempts = 1,
            },
            [.. Enumerable.Range(1, 3).Select(e => new EpochMetrics(e, 1.0 / e + i / 1000.0, 0.5, 1.1 / e, 0.6, 0.01, 1))],
            null)).ToList();
        var results = new SweepResults("big", ["lr", "hidden"], trials);
        string page = SweepPage.Render("big", results, [.. trials.Select(t => t.Trial)], null, null, SweepMetric.TestAccuracy);
        Assert.Contains("1000 trials: 0 pending, 0 running, 0 interrupted, 900 completed", page);
        string table = page[page.IndexOf("<table class=\"sweep\">", StringComparison.Ordinal)..];
        Assert.Equal(1000, table[..table.IndexOf("</table>", StringComparison.Ordinal)].Split("<tr").Length - 2); // a row per configuration, less the header
        var charts = SweepPage.Charts(results, SweepTable.Build(results), SweepMetric.TestAccuracy, null);
        var parallel = XDocument.Parse(charts.Single(c => c.Id == "parallel").Svg);
        Assert.Equal(900, parallel.Descendants().Count(e => e.Name.LocalName == "path"));
        Assert.Equal(SweepPlots.MaxPanels, charts.Count(c => c.Id.StartsWith("panel_", StringComparison.Ordinal)));
        Assert.All(charts, c => XDocument.Parse(c.Svg));
    }
}
