using System.Globalization;
using System.Net;
using System.Xml.Linq;
using FcnLab.Cli.Tests;
using FcnLab.Engine.Training;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;
using Microsoft.Playwright;

namespace FcnLab.Dashboard.Tests;

/// <summary>
/// `fcnlab serve`'s dashboard in a real browser, over a store filled by the CLI itself: every view renders with its
/// charts; sorting, filtering and comparing work; hostile names appear as text; downloads are well-formed.
/// </summary>
public sealed class DashboardBrowserTests : IDisposable
{
    private readonly CliHarness _h = new();

    public void Dispose() => _h.Dispose();

    /// <summary>Runs a sweep over lr 0.05 and 0.2 on the tiny data set (2 epochs), <paramref name="repeats"/> seeds each; <paramref name="tail"/> is appended to the spec.</summary>
    private void RunSmallSweep(string name, int repeats, string tail = "")
    {
        string spec = _h.Path_(name + ".yaml");
        File.WriteAllText(spec, $"""
            name: {name}
            base:
              data: {_h.DataDir}
              dataset: tiny
              hidden: [16]
              epochs: 2
              batch_size: 32
              threads: 1
            axes:
              lr: [0.05, 0.2]
            repeats: {repeats}

            """ + tail);
        var (code, _, err) = _h.Run("sweep", spec, "--quiet");
        Assert.True(code == 0, err);
    }

    private void FillWithASmallSweep()
    {
        RunSmallSweep("small", repeats: 1);
        var (code, _, err) = _h.Train(_h.Path_("run1"), "--store", _h.StorePath, "--quiet");
        Assert.True(code == 0, err);
    }

    [Fact]
    public async Task EveryView_Renders_AndSortingFilteringComparingAndDownloadsWork()
    {
        FillWithASmallSweep();
        await using var server = await DashboardServer.StartAsync(new DashboardOptions(_h.StorePath, Port: 0));
        await using var chromium = await Chromium.LaunchAsync();
        var problems = new List<string>();
        var page = await chromium.NewPageAsync(problems);

        // Runs: three rows, newest first; sorting by test accuracy and filtering by sweep and status.
        await page.SetViewportSizeAsync(1280, 900);
        await page.GotoAsync(server.Url.AbsoluteUri);
        await Screenshot(page, "runs");
        Assert.Equal(3, await page.Locator("#runs tbody tr").CountAsync());
        Assert.Equal(["3", "2", "1"], await RunIds(page));
        await page.ClickAsync("th a[data-sort=test]");
        var tests = await page.Locator("#runs tbody tr td:nth-child(7)").AllTextContentsAsync();
        Assert.Equal(tests.OrderByDescending(t => double.Parse(t.TrimEnd('%'), CultureInfo.InvariantCulture)), tests);
        await page.ClickAsync("th a[data-sort=test]");
        tests = await page.Locator("#runs tbody tr td:nth-child(7)").AllTextContentsAsync();
        Assert.Equal(tests.OrderBy(t => double.Parse(t.TrimEnd('%'), CultureInfo.InvariantCulture)), tests);
        await page.SelectOptionAsync("select[name=sweep]", "small");
        await page.ClickAsync("form.filters button");
        Assert.Equal(2, await page.Locator("#runs tbody tr").CountAsync());
        await page.FillAsync("input[name=q]", "lr=0.2");
        await page.ClickAsync("form.filters button");
        Assert.Equal(1, await page.Locator("#runs tbody tr").CountAsync());
        await page.GotoAsync(server.Url + "?status=failed");
        Assert.Equal(0, await page.Locator("#runs tbody tr").CountAsync());

        // Compare: tick two runs.
        await page.GotoAsync(server.Url.AbsoluteUri);
        await page.CheckAsync("tr[data-run='1'] input[type=checkbox]");
        await page.CheckAsync("tr[data-run='3'] input[type=checkbox]");
        await page.ClickAsync("#compare");
        await page.WaitForURLAsync("**/compare?**");
        Assert.Equal(3 + 2, await page.Locator("figure.chart svg").CountAsync()); // three overlaid curves, two confusion matrices
        Assert.Equal(2, await page.Locator("#diff thead th a").CountAsync());
        await Screenshot(page, "compare");
        Assert.Contains("Optimizer.Lr", await page.Locator("#diff").TextContentAsync());

        // Run: curves, step loss, confusion matrix with class names, per-class table, settings.
        await page.GotoAsync(server.Url + "runs/1");
        foreach (string chart in (string[])["loss", "accuracy", "lr", "steps", "confusion"])
            Assert.True(await page.Locator($"#chart-{chart} svg path, #chart-{chart} svg rect").CountAsync() > 1, $"chart {chart} draws nothing");
        Assert.Contains("every step from steps.csv", await page.Locator("#chart-steps figcaption").TextContentAsync());
        Assert.Equal(4, await page.Locator("#classes tbody tr").CountAsync());
        Assert.Equal(2, await page.Locator("#epochs tbody tr").CountAsync());
        await Screenshot(page, "run");
        Assert.Contains("completed", await page.Locator("dd.status-value").TextContentAsync());
        Assert.Contains("\"Lr\"", await page.Locator("pre.settings").TextContentAsync());

        // The model summary (rebuilt from the stored settings) agrees with the parameters the training counted, and the
        // diagram draws the input and one box per layer.
        int layers = await page.Locator("#model-summary tbody tr").CountAsync() - 1; // less the input row
        Assert.True(layers >= 3, $"the model summary shows {layers} layers");
        Assert.Contains("Linear", await page.Locator("#model-summary tbody").TextContentAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(await page.Locator("dt:text-is('parameters') + dd").TextContentAsync(),
            (await page.Locator("#model-summary tfoot td:nth-child(4)").TextContentAsync())!.Replace(",", "", StringComparison.Ordinal));
        Assert.Equal(1 + 1 + layers, await page.Locator("#chart-network svg rect").CountAsync()); // background, input, layers
        Assert.Contains("[16]", await page.Locator("#chart-network svg").TextContentAsync());
        await page.SelectOptionAsync("#smooth", "0.9");
        await page.ClickAsync("form.smoothing button");
        Assert.Contains("debiased EMA (weight 0.9)", await page.Locator("#chart-steps svg").InnerHTMLAsync());

        // The misclassified test images, drawn from the data directory the run recorded.
        await page.GotoAsync(server.Url + "runs/3");
        Assert.True(await page.Locator("#chart-misclassified svg image").CountAsync() > 0, "no misclassified images drawn");

        // Sweep: the study table (table.md's rows), curves and one panel per configuration.
        await page.GotoAsync(server.Url + "sweeps");
        await page.ClickAsync("#sweeps a:text('small')");
        Assert.Equal(2, await page.Locator("table.sweep tbody tr").CountAsync());
        Assert.Equal(1, await page.Locator("table.sweep tr.best").CountAsync());
        Assert.Equal(2, await page.Locator("figure.panel").CountAsync());
        await Screenshot(page, "sweep");
        Assert.Contains("2 trials: 0 pending, 0 running", await page.Locator("#tally").TextContentAsync());
        Assert.Equal(0, await page.Locator("#chart-val_accuracy svg polygon").CountAsync()); // one repeat: no ± std band
        Assert.Equal(0, await page.Locator("#published").CountAsync()); // not a study
        // Parallel coordinates of the swept setting against the chosen metric: one line per trial.
        Assert.Equal(2, await page.Locator("#chart-parallel svg path").CountAsync());
        Assert.Contains("Test accuracy (%)", await page.Locator("#chart-parallel svg").TextContentAsync());
        await page.SelectOptionAsync("#metric", "lowest_train_loss");
        await page.ClickAsync("form.metric button");
        await page.WaitForURLAsync("**metric=lowest_train_loss**");
        Assert.Contains("Lowest training loss", await page.Locator("#chart-parallel svg").TextContentAsync());
        Assert.Contains("metric=lowest_train_loss", await page.Locator("#chart-parallel a.download").First.GetAttributeAsync("href"));

        // Downloads: every chart on every view has an SVG and a PNG link; SVG (well-formed XML with its legend and
        // axis titles), PNG (the signature, and the size its header says: the SVG's size times PngExport.Scale), CSV.
        using var http = new HttpClient { BaseAddress = server.Url };
        foreach (string view in (string[])["runs/1", "runs/3", "sweep?name=small", "compare?id=1&id=3"])
        {
            await page.GotoAsync(server.Url + view);
            var figures = page.Locator("figure.chart:has(svg)");
            int count = await figures.CountAsync();
            Assert.True(count >= 3, $"{view}: {count} charts");
            for (int i = 0; i < count; i++)
            {
                var links = figures.Nth(i).Locator("figcaption a.download");
                Assert.Equal(["SVG", "PNG"], await links.AllTextContentsAsync());
                string svgUrl = (await links.Nth(0).GetAttributeAsync("href"))!, pngUrl = (await links.Nth(1).GetAttributeAsync("href"))!;
                var doc = XDocument.Parse(await http.GetStringAsync(svgUrl.TrimStart('/')));
                string title = doc.Root!.Elements().First(e => e.Name.LocalName == "title").Value;
                Assert.Contains(title, await figures.Nth(i).Locator("svg title").First.TextContentAsync()); // the page's own chart
                using var png = await http.GetAsync(pngUrl.TrimStart('/'));
                Assert.Equal("image/png", png.Content.Headers.ContentType!.MediaType);
                AssertPng(await png.Content.ReadAsByteArrayAsync(),
                    PngExport.Pixels(double.Parse(doc.Root.Attribute("width")!.Value, CultureInfo.InvariantCulture)),
                    PngExport.Pixels(double.Parse(doc.Root.Attribute("height")!.Value, CultureInfo.InvariantCulture)), svgUrl);
            }
        }
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("runs/1/charts/loss.gif")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("runs/1/charts/nosuch.png")).StatusCode);
        var svg = XDocument.Parse(await http.GetStringAsync("runs/1/charts/loss.svg"));
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        Assert.Contains("validation loss", svg.ToString());
        Assert.Contains("Epoch", svg.ToString());
        XDocument.Parse(await http.GetStringAsync("sweep/charts/val_accuracy.svg?name=small"));
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("sweep/charts/parallel.svg?name=small&metric=nosuch")).StatusCode);
        XDocument.Parse(await http.GetStringAsync("compare/charts/train_loss.svg?id=1&id=2"));
        string table = await http.GetStringAsync("sweep/table.md?name=small");
        Assert.StartsWith("| lr |", table);
        var classes = (await http.GetStringAsync("runs/1/classes.csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("class,support,precision,recall,f1", classes[0]);
        Assert.Equal(5, classes.Length);
        var network = XDocument.Parse(await http.GetStringAsync("runs/1/charts/network.svg"));
        Assert.Equal("svg", network.Root!.Name.LocalName);
        var misclassified = (await http.GetStringAsync("runs/3/misclassified.csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("index,true_class,true_name,predicted_class,predicted_name", misclassified[0]);
        Assert.True(misclassified.Length > 1, "no misclassified rows");
        Assert.Equal(5, misclassified[1].Split(',').Length);
        var compare = (await http.GetStringAsync("compare/settings.csv?id=1&id=3")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("setting,run_1,run_3", compare[0]);
        Assert.StartsWith("status,completed,completed", compare[1]);
        Assert.StartsWith("test accuracy,", compare[2]);
        Assert.All(compare[2].Split(',')[1..], a => Assert.InRange(double.Parse(a, CultureInfo.InvariantCulture), 0, 1)); // fractions, not "95.00%"
        Assert.Contains(compare, line => line.StartsWith("Optimizer.Lr,", StringComparison.Ordinal));
        var csv = (await http.GetStringAsync("runs.csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, csv.Length);
        Assert.StartsWith("run_id,sweep,", csv[0]);
        Assert.Empty(problems);
    }

    [Fact]
    public async Task StudySweep_ShowsStdBands_AndThePublishedNumbersBesideTheTable()
    {
        RunSmallSweep("study-small", repeats: 2, """
            study:
              source: "a <b>study</b>.md"
              table: "Table 1: lr"
              published:
                - { lr: 0.05, test_acc: 80.0 }
                - { lr: 0.2, test_acc: 90.5 }
            """);
        await using var server = await DashboardServer.StartAsync(new DashboardOptions(_h.StorePath, Port: 0));
        await using var chromium = await Chromium.LaunchAsync();
        var problems = new List<string>();
        var page = await chromium.NewPageAsync(problems);
        await page.GotoAsync(server.Url + "sweep?name=study-small");

        // Two repeats per configuration: every curve has its ± std band (validation accuracy: one per configuration;
        // loss: training and validation per configuration), in the downloaded SVG too.
        Assert.Equal(2, await page.Locator("#chart-val_accuracy svg polygon").CountAsync());
        Assert.Equal(4, await page.Locator("#chart-train_val_loss svg polygon").CountAsync());
        Assert.Equal(4, await page.Locator("#chart-train_val_accuracy svg polygon").CountAsync());
        Assert.Equal(2, await page.Locator("#chart-panel_1 svg polygon").CountAsync());
        Assert.Equal(4, await page.Locator("#chart-parallel svg path").CountAsync()); // one line per trial
        using var http = new HttpClient { BaseAddress = server.Url };
        var svg = XDocument.Parse(await http.GetStringAsync("sweep/charts/val_accuracy.svg?name=study-small"));
        Assert.Equal(2, svg.Descendants().Count(e => e.Name.LocalName == "polygon"));

        // The published numbers beside the study table, as `fcnlab reproduce` prints them; the source is text.
        Assert.Contains("a <b>study</b>.md", await page.Locator("h3:has(+ #published)").TextContentAsync());
        Assert.Equal(0, await page.Locator("h3 b").CountAsync());
        var rows = page.Locator("#published tbody tr");
        Assert.Equal(2, await rows.CountAsync());
        Assert.Equal(["test_acc", "0.05", "80.00"], (await rows.Nth(0).Locator("td").AllTextContentsAsync()).Take(3));
        Assert.Equal(["test_acc", "0.2", "90.50"], (await rows.Nth(1).Locator("td").AllTextContentsAsync()).Take(3));
        Assert.Contains("±", await rows.Nth(0).Locator("td:nth-child(4)").TextContentAsync());
        Assert.Empty(problems);
    }

    /// <summary>
    /// A full-page PNG of the view: into $FCNLAB_WRITE_SCREENSHOTS when set (the docs' screenshots, docs/dashboard.md),
    /// else into the test's folder; either way checked to be a PNG of the page.
    /// </summary>
    private async Task Screenshot(IPage page, string name)
    {
        string dir = Environment.GetEnvironmentVariable("FCNLAB_WRITE_SCREENSHOTS") is { Length: > 0 } d ? d : _h.Path_("screenshots");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        byte[] png = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.True(png.Length > 5_000, $"{name}.png is {png.Length} bytes: an empty page?");
    }

    /// <summary>A well-formed PNG: the signature, an IHDR chunk first with the expected size, an IEND chunk last.</summary>
    private static void AssertPng(byte[] png, int width, int height, string what)
    {
        Assert.True(png.Length > 100, $"{what}: {png.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal((width, height), (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20))));
        Assert.Equal("IEND", System.Text.Encoding.ASCII.GetString(png, png.Length - 8, 4));
    }

    private static async Task<List<string>> RunIds(IPage page) => [.. await page.Locator("#runs tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.run)")];

    [Fact]
    public async Task HostileNames_AppearAsText_NotMarkup()
    {
        const string Evil = "<script>alert(1)</script>\"'\u0001<img src=x onerror=alert(2)>";
        using (var store = RunStores.Open(_h.StorePath))
        {
            store.SaveSweep(Evil, "name: x");
            store.AddTrials([new TrialDefinition
            {
                TrialId = "t" + Evil, Sweep = Evil, Point = [new("act" + Evil, "v" + Evil)], ConfigJson = "{\"Dataset\": \"tiny\", \"DataDir\": \"/nonexistent/fcnlab-data\", \"note\": \"\\u003cscript\\u003e\"}", RunDir = _h.Path_("nowhere"),
            }]);
            var trial = store.ClaimNext(Evil, "host:1")!;
            Assert.True(store.Complete(trial.RunId, "host:1", new TrialOutcome(
                new RunSummary { Status = RunStatus.Completed, TestAccuracy = 0.5, EpochsRun = 1 }, new long[,] { { 1, 1 }, { 0, 2 } }, ["cat" + Evil, "dog"], [new Misclassification(3, 0, 1)])));
        }
        await using var server = await DashboardServer.StartAsync(new DashboardOptions(_h.StorePath, Port: 0));
        await using var chromium = await Chromium.LaunchAsync();
        var problems = new List<string>();
        var page = await chromium.NewPageAsync(problems);
        foreach (string path in (string[])["", "runs/1", "sweeps", "sweep?name=" + Uri.EscapeDataString(Evil)])
        {
            var response = await page.GotoAsync(server.Url + path);
            Assert.True(response!.Ok, $"{path}: {response.Status}");
            string text = await page.Locator("main").InnerTextAsync();
            Assert.Contains("<script>alert(1)</script>\"'\u2401<img src=x onerror=alert(2)>", text);
            Assert.Equal(0, await page.Locator("main script, main img").CountAsync());
        }
        await page.GotoAsync(server.Url + "runs/1");
        Assert.Contains("cat<script>", await page.Locator("#classes").InnerTextAsync());
        Assert.Contains("No images: the run's test data cannot be read here", await page.Locator("#no-images").TextContentAsync());
        Assert.Empty(problems);
    }

    [Fact]
    public async Task EveryResponse_CarriesTheCsp_AndAWrongHostIsRefused()
    {
        FillWithASmallSweep();
        await using var server = await DashboardServer.StartAsync(new DashboardOptions(_h.StorePath, Port: 0));
        using var http = new HttpClient { BaseAddress = server.Url };
        foreach (string path in (string[])["", "runs/1", "sweep?name=small", "static/dashboard.js", "runs/1/charts/loss.svg", "runs/1/charts/loss.png", "no/such/page"])
        {
            using var response = await http.GetAsync(path);
            Assert.Equal(DashboardServer.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Contains("script-src 'self'", DashboardServer.ContentSecurityPolicy);
        }
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "runs/1");
        rebound.Headers.Host = "attacker.example";
        using var refused = await http.SendAsync(rebound);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("--allowed-hosts", await refused.Content.ReadAsStringAsync());
        using var byName = new HttpRequestMessage(HttpMethod.Get, "");
        byName.Headers.Host = "localhost:" + server.Url.Port.ToString(CultureInfo.InvariantCulture);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(byName)).StatusCode);
        // Runs are reached by store id only: a path goes nowhere.
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("runs/..%2F..%2Fetc%2Fpasswd")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("runs/99")).StatusCode);
    }

    [Fact]
    public async Task AMissingStore_ShowsABanner_AndThePageRecoversWhenItAppears()
    {
        // The dashboard serves a store that appears whole, by a rename, once filled: a page that reloaded while the
        // sweep was still creating it would rightly show an empty runs table.
        string served = _h.Path_("served.db");
        await using var server = await DashboardServer.StartAsync(new DashboardOptions(served, Port: 0));
        await using var chromium = await Chromium.LaunchAsync();
        var problems = new List<string>();
        var page = await chromium.NewPageAsync(problems);
        var response = await page.GotoAsync(server.Url.AbsoluteUri);
        Assert.Equal(503, response!.Status);
        Assert.Contains("There is no run store at", await page.Locator("body > .banner").TextContentAsync());
        Assert.False(File.Exists(served)); // the dashboard creates nothing
        FillWithASmallSweep();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools(); // the CLI's pooled connections close, so the store is one whole file
        foreach (string suffix in (string[])["-wal", "-shm", ""])
            if (File.Exists(_h.StorePath + suffix)) File.Move(_h.StorePath + suffix, served + suffix);
        await page.Locator("#runs tbody tr").First.WaitForAsync(new LocatorWaitForOptions { Timeout = 120_000 });
        Assert.Equal(0, await page.Locator("body > .banner").CountAsync());
    }
}
