using Microsoft.Playwright;

namespace FcnLab.Dashboard.Tests;

/// <summary>
/// Headless Chromium driven by Playwright: Debian's package (`chromium`, as the report-rendering test uses), never a
/// downloaded browser. Without it the tests fail (they must not pass silently): .ci/run installs it.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static async Task<Chromium> LaunchAsync()
    {
        string path = Find() ?? throw new Xunit.Sdk.XunitException(
            "Chromium is not installed, so the dashboard cannot be tested in a browser. Install it: apt-get update && apt-get install -y chromium");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions"],
            Timeout = 60_000,
        });
        return new Chromium(playwright, browser);
    }

    /// <summary>chromium on the PATH (Debian), or the names other distributions use.</summary>
    private static string? Find()
    {
        string[] names = ["chromium", "chromium-browser", "google-chrome-stable", "google-chrome"];
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return names.SelectMany(n => dirs.Select(d => Path.Combine(d, n))).FirstOrDefault(File.Exists);
    }

    /// <summary>A fresh page that fails the test on any script error or dialog (an alert would mean injected script ran).</summary>
    public async Task<IPage> NewPageAsync(List<string> problems)
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { AcceptDownloads = true });
        page.SetDefaultTimeout(120_000); // generous: CI shares 2 cores with builds; a wait that fails is a bug, not a slow machine
        page.PageError += (_, e) => { lock (problems) problems.Add("page error: " + e); };
        page.Dialog += async (_, d) => { lock (problems) problems.Add("dialog: " + d.Message); await d.DismissAsync(); };
        page.Console += (_, m) => { if (m.Type == "error" && !m.Text.Contains("503", StringComparison.Ordinal)) lock (problems) problems.Add("console: " + m.Text); };
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
