using System.Globalization;
using FcnLab.Lab.Reports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace FcnLab.Dashboard;

/// <summary>The dashboard's URLs. Every one reads the store through <see cref="StoreAccess"/>; runs and sweeps are named by store id and sweep name only.</summary>
internal static class Routes
{
    public static void Map(IEndpointRouteBuilder app, StoreAccess store)
    {
        var images = new TestImages();
        var models = new ModelSummaries();
        app.MapGet("/static/dashboard.js", () => Results.Text(DashboardServer.Asset("dashboard.js"), "text/javascript; charset=utf-8"));
        app.MapGet("/favicon.ico", () => Results.NoContent());
        app.MapGet("/static/dashboard.css", () => Results.Text(DashboardServer.Asset("dashboard.css"), "text/css; charset=utf-8"));

        app.MapGet("/", (HttpRequest r) => Page("Runs", () => store.Read(s =>
            RunsPage.Render(s, RunsQuery.From(r.Query)))));
        app.MapGet("/runs.csv", (HttpRequest r) => Guard(() => Download(store.Read(s => RunsPage.Csv(s, RunsQuery.From(r.Query))), "runs.csv", "text/csv")));

        app.MapGet("/runs/{id:long}", (long id, HttpRequest r) => Page($"Run {id}", () =>
            store.Read(s => RunPage.Load(s, id)) is { } d
                ? $"<div id=\"live\" data-live=\"{(RunPage.IsLive(d) ? Html.Escape($"/runs/{id}/live?smooth={Smooth(r).ToString(CultureInfo.InvariantCulture)}") : "")}\">{RunPage.Render(d, Smooth(r), images, models)}</div>"
                : throw new NotFoundException($"There is no run {id} in the store.")));
        app.MapGet("/runs/{id:long}/live", (long id, HttpRequest r, HttpResponse response) => Guard(() =>
        {
            var d = store.Read(s => RunPage.Load(s, id)) ?? throw new NotFoundException($"There is no run {id} in the store.");
            response.Headers["X-FcnLab-Live"] = RunPage.IsLive(d) ? "1" : "0";
            return Results.Content(RunPage.Render(d, Smooth(r), images, models), "text/html; charset=utf-8");
        }));
        app.MapGet("/runs/{id:long}/charts/{chart}.{format}", (long id, string chart, string format, HttpRequest r) => Guard(() =>
        {
            var d = store.Read(s => RunPage.Load(s, id)) ?? throw new NotFoundException($"There is no run {id} in the store.");
            return Chart(RunPage.Charts(d, Smooth(r), images, models, out _), chart, format, $"run{id}-{chart}");
        }));
        app.MapGet("/runs/{id:long}/epochs.csv", (long id) => Guard(() =>
            Download(RunPage.EpochsCsv(store.Read(s => s.GetEpochs(id))), $"run{id}-epochs.csv", "text/csv")));

        app.MapGet("/runs/{id:long}/classes.csv", (long id) => Guard(() =>
            Download(RunPage.ClassesCsv(store.Read(s => s.GetOutcome(id))), $"run{id}-classes.csv", "text/csv")));

        app.MapGet("/runs/{id:long}/misclassified.csv", (long id) => Guard(() =>
            Download(RunPage.MisclassifiedCsv(store.Read(s => s.GetOutcome(id))), $"run{id}-misclassified.csv", "text/csv")));

        app.MapGet("/sweeps", () => Page("Sweeps", () => store.Read(s => SweepPage.List(s.ListSweeps(), s.ListTrials()))));
        app.MapGet("/sweep", ([FromQuery] string name, HttpRequest r) => Page($"Sweep {name}", () =>
        {
            var (results, trials, note, study, search) = LoadSweep(store, name);
            return SweepPage.Render(name, results, trials, note, study, Metric(r), search);
        }));
        app.MapGet("/sweep/table.csv", ([FromQuery] string name) => Guard(() => Download(SweepTable.Build(LoadSweep(store, name).Results).ToCsv(), "table.csv", "text/csv")));
        app.MapGet("/sweep/table.md", ([FromQuery] string name) => Guard(() => Download(SweepTable.Build(LoadSweep(store, name).Results).ToMarkdown(), "table.md", "text/markdown")));
        app.MapGet("/sweep/charts/{chart}.{format}", ([FromQuery] string name, string chart, string format, HttpRequest r) => Guard(() =>
        {
            var sweep = LoadSweep(store, name);
            return Chart(SweepPage.Charts(sweep.Results, SweepTable.Build(sweep.Results), Metric(r), sweep.Search), chart, format, $"{name}-{chart}");
        }));
        // A search's files, as fcnlab report writes them (404 for a grid, or before any trial completed).
        app.MapGet("/sweep/" + SearchReport.CsvFile, ([FromQuery] string name) => Guard(() => Download(SearchOf(store, name).Csv, $"{name}-{SearchReport.CsvFile}", "text/csv")));
        app.MapGet("/sweep/" + SearchReport.SpecFile, ([FromQuery] string name) => Guard(() =>
            Download(SearchOf(store, name).BestSpecYaml ?? throw new NotFoundException($"Search '{name}' has no completed trial yet."), $"{name}-{SearchReport.SpecFile}", "application/yaml")));
        app.MapGet("/sweep/" + SearchReport.CommandFile, ([FromQuery] string name) => Guard(() =>
            Download((SearchOf(store, name).BestCommandLine ?? throw new NotFoundException($"Search '{name}' has no completed trial yet.")) + "\n", $"{name}-{SearchReport.CommandFile}", "text/plain")));

        app.MapGet("/compare", (HttpRequest r) => Page("Compare runs", () => ComparePage.Render(LoadCompare(store, r), r.QueryString.Value?.TrimStart('?') ?? "")));
        app.MapGet("/compare/settings.csv", (HttpRequest r) => Guard(() => Download(ComparePage.Csv(LoadCompare(store, r)), "compare-settings.csv", "text/csv")));
        app.MapGet("/compare/charts/{chart}.{format}", (string chart, string format, HttpRequest r) => Guard(() => Chart(ComparePage.Charts(LoadCompare(store, r)), chart, format, $"compare-{chart}")));
    }

    private static double Smooth(HttpRequest r) =>
        double.TryParse(r.Query["smooth"], NumberStyles.Float, CultureInfo.InvariantCulture, out double w) && w is >= 0 and < 1 ? w : 0.6;

    private static (SweepResults Results, IReadOnlyList<Lab.Store.TrialRecord> Trials, string? Note, Lab.Sweeps.StudyInfo? Study, SearchReport? Search) LoadSweep(StoreAccess store, string name) =>
        store.Read(s => SweepPage.Load(s, name)) ?? throw new NotFoundException($"There is no sweep '{name}' in the store.");

    private static SearchReport SearchOf(StoreAccess store, string name) =>
        LoadSweep(store, name).Search ?? throw new NotFoundException($"Sweep '{name}' is a grid, not a search.");

    private static List<RunPage.Data> LoadCompare(StoreAccess store, HttpRequest r)
    {
        var ids = r.Query["id"].Select(v => long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out long id) ? id : -1).Distinct().ToList();
        if (ids.Count is < ComparePage.Min or > ComparePage.Max || ids.Contains(-1))
            throw new BadRequestException($"Pick {ComparePage.Min} to {ComparePage.Max} runs to compare (tick them in the runs table); got {ids.Count}.");
        return [.. ids.Select(id => store.Read(s => RunPage.Load(s, id)) ?? throw new NotFoundException($"There is no run {id} in the store."))];
    }

    /// <summary>The sweep metric the parallel coordinates are drawn against (?metric=, test accuracy by default).</summary>
    private static SweepMetric Metric(HttpRequest r)
    {
        string? id = r.Query["metric"];
        if (string.IsNullOrEmpty(id)) return SweepMetric.TestAccuracy;
        try
        {
            return SweepMetric.Parse(id);
        }
        catch (Engine.FcnLabException e)
        {
            throw new BadRequestException(e.Message);
        }
    }

    /// <summary>A chart as its SVG (the page's own) or as PNG drawn from that SVG (<see cref="PngExport"/>).</summary>
    private static IResult Chart(IReadOnlyList<(string Id, string Svg)> charts, string chart, string format, string fileName)
    {
        if (charts.FirstOrDefault(c => c.Id == chart) is not { Svg: { } svg }) throw new NotFoundException($"There is no chart '{chart}' here.");
        return format switch
        {
            "svg" => Download(svg, fileName + ".svg", "image/svg+xml"),
            "png" => Png(svg, fileName + ".png"),
            _ => throw new NotFoundException($"Charts download as .svg or .png, not .{format}."),
        };
    }

    /// <summary>The PNG of a chart; where SkiaSharp's native library cannot load (it needs fontconfig), a 503 that says what to install.</summary>
    private static IResult Png(string svg, string fileName)
    {
        try
        {
            return Results.File(PngExport.Render(svg), "image/png", fileName);
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException)
        {
            return Results.Text($"PNG downloads need SkiaSharp's native library, which could not be loaded here ({e.GetBaseException().Message}). Install fontconfig (Debian: apt-get install libfontconfig1) and restart fcnlab serve; SVG downloads work without it.",
                "text/plain; charset=utf-8", statusCode: 503);
        }
    }

    private static IResult Download(string text, string fileName, string type) =>
        Results.File(System.Text.Encoding.UTF8.GetBytes(text), type + "; charset=utf-8", fileName);

    /// <summary>A whole page; a store that cannot be read gives the page with a banner (503, the script retries), a missing run or sweep a 404.</summary>
    private static IResult Page(string title, Func<string> body)
    {
        try
        {
            return Results.Content(Html.Page(title, body()), "text/html; charset=utf-8");
        }
        catch (StoreUnavailableException e)
        {
            return Results.Content(Html.Page(title, "<p class=\"note\">This page shows again once the store can be read.</p>", e.Message), "text/html; charset=utf-8", statusCode: 503);
        }
        catch (NotFoundException e)
        {
            return Results.Content(Html.Page("Not found", $"<p class=\"error\">{Html.Escape(e.Message)}</p>"), "text/html; charset=utf-8", statusCode: 404);
        }
        catch (BadRequestException e)
        {
            return Results.Content(Html.Page(title, $"<p class=\"error\">{Html.Escape(e.Message)}</p>"), "text/html; charset=utf-8", statusCode: 400);
        }
    }

    /// <summary>A download or fragment; errors as plain text with their status.</summary>
    private static IResult Guard(Func<IResult> produce)
    {
        try
        {
            return produce();
        }
        catch (StoreUnavailableException e)
        {
            return Results.Text(e.Message, "text/plain; charset=utf-8", statusCode: 503);
        }
        catch (NotFoundException e)
        {
            return Results.Text(e.Message, "text/plain; charset=utf-8", statusCode: 404);
        }
        catch (BadRequestException e)
        {
            return Results.Text(e.Message, "text/plain; charset=utf-8", statusCode: 400);
        }
    }
}
