using System.Net;
using System.Xml.Linq;
using FcnLab.Cli.Tests;
using FcnLab.Lab.Reports;
using FcnLab.Lab.Sweeps;

namespace FcnLab.Dashboard.Tests;

/// <summary>Issue 16, point 6: a search's views in the dashboard, the same as `fcnlab report`'s, in a real browser.</summary>
public sealed class SearchViewTests : IDisposable
{
    private readonly CliHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task ASearchsSweepView_ShowsItsBestTrialImportanceAndCharts_AndItsFilesDownload()
    {
        _h.RunTinySearch("tiny-search", epochs: 2);

        await using var server = await DashboardServer.StartAsync(new DashboardOptions(_h.StorePath, Port: 0));
        await using var chromium = await Chromium.LaunchAsync();
        var problems = new List<string>();
        var page = await chromium.NewPageAsync(problems);
        await page.GotoAsync(server.Url + "sweep?name=tiny-search");
        Assert.Contains("5 of 5 trials", await page.Locator("#search-summary").TextContentAsync());
        Assert.StartsWith("fcnlab train --data ", await page.Locator("#best-command").TextContentAsync());
        foreach (string id in new[] { SearchReport.History, SearchReport.Compute, SearchReport.Curves, SearchReport.ImportanceId, "search_slice_lr", "search_slice_optimizer" })
            Assert.True(await page.Locator($"#search #chart-{id} svg").CountAsync() == 1, $"no chart {id}");
        Assert.Equal(["SVG", "PNG"], await page.Locator($"#chart-{SearchReport.Curves} figcaption a.download").AllTextContentsAsync());
        Assert.Empty(problems);

        using var http = new HttpClient { BaseAddress = server.Url };
        var svg = XDocument.Parse(await http.GetStringAsync($"sweep/charts/{SearchReport.History}.svg?name=tiny-search"));
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        using (var png = await http.GetAsync($"sweep/charts/{SearchReport.Curves}.png?name=tiny-search"))
        {
            Assert.Equal(HttpStatusCode.OK, png.StatusCode);
            Assert.Equal([0x89, 0x50, 0x4E, 0x47], (await png.Content.ReadAsByteArrayAsync())[..4]);
        }
        var recipe = SweepSpecParser.Parse(await http.GetStringAsync($"sweep/{SearchReport.SpecFile}?name=tiny-search"));
        Assert.Equal("tiny-search-best", recipe.Name);
        Assert.Equal(6, (await http.GetStringAsync($"sweep/{SearchReport.CsvFile}?name=tiny-search")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.StartsWith("fcnlab train", await http.GetStringAsync($"sweep/{SearchReport.CommandFile}?name=tiny-search"));

        // A grid has no search files.
        var grid = _h.Path_("grid.yaml");
        File.WriteAllText(grid, $"name: grid\nbase: {{ data: \"{_h.DataDir}\", dataset: tiny, epochs: 1, hidden: [8], threads: 1 }}\naxes: {{ lr: [0.1] }}\n");
        Assert.Equal(0, _h.Run("sweep", grid, "--quiet").Code);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"sweep/{SearchReport.CsvFile}?name=grid")).StatusCode);
        await page.GotoAsync(server.Url + "sweep?name=grid");
        Assert.Equal(0, await page.Locator("#search").CountAsync());
    }
}
