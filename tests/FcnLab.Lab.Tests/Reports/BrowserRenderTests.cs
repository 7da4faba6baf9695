using System.Diagnostics;
using System.Text.RegularExpressions;
using FcnLab.Lab.Reports;
using static FcnLab.Lab.Tests.Reports.ReportTestData;

namespace FcnLab.Lab.Tests.Reports;

/// <summary>
/// Renders report.html in headless Chromium (Debian package `chromium`) and checks the DOM the browser
/// built: every plot figure is there with an SVG that draws something. Without a browser the test fails
/// (it must not pass silently): CI installs it.
/// </summary>
public class BrowserRenderTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public void Chromium_renders_every_plot_of_the_report()
    {
        string browser = FindBrowser() ?? throw new Xunit.Sdk.XunitException(
            "Chromium is not installed, so report.html cannot be rendered. Install it: apt-get update && apt-get install -y chromium");
        using var dir = new TempDir();
        ReportWriter.Write(Sample(), dir.Path, Images());

        string dom = Run(browser, dir, "--dump-dom", new Uri(dir.File("report.html")).AbsoluteUri);

        Assert.Contains("<table class=\"sweep\">", dom);
        foreach (string id in ReportWriter.PlotIds)
        {
            var figure = Regex.Match(dom, $"<figure class=\"plot\" id=\"{id}\">(.*?)</figure>", RegexOptions.Singleline);
            Assert.True(figure.Success, $"the browser's DOM has no figure {id}");
            var svg = Regex.Match(figure.Groups[1].Value, "<svg [^>]*viewBox=\"0 0 [0-9.]+ [0-9.]+\"[^>]*>(.*)</svg>", RegexOptions.Singleline);
            Assert.True(svg.Success, $"figure {id} has no svg with a viewBox in the browser's DOM");
            string body = svg.Groups[1].Value;
            Assert.True(Regex.IsMatch(body, "<(path|image|circle) ") || Regex.Matches(body, "<rect ").Count > 1, $"figure {id} draws nothing");
            Assert.Matches("<text [^>]*>[^<]+</text>", body);
        }
        Assert.Equal(36, Regex.Matches(dom, "<image [^>]*href=\"data:image/png;base64,").Count);
    }

    /// <summary>chromium on the PATH (Debian), or the names other distributions use.</summary>
    private static string? FindBrowser()
    {
        string[] names = ["chromium", "chromium-browser", "google-chrome-stable", "google-chrome"];
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return names.SelectMany(n => dirs.Select(d => Path.Combine(d, n))).FirstOrDefault(File.Exists);
    }

    /// <summary>Runs the browser headless with its own profile folder; kills it (and its children) past the timeout.</summary>
    private static string Run(string browser, TempDir dir, params string[] args)
    {
        var start = new ProcessStartInfo(browser)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--disable-extensions", $"--user-data-dir={dir.File("profile")}", .. args])
            start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new Xunit.Sdk.XunitException($"Could not start {browser}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new Xunit.Sdk.XunitException($"{browser} did not finish within {Timeout.TotalSeconds} s and was killed.");
        }
        process.WaitForExit(); // let the output readers finish
        Assert.True(process.ExitCode == 0, $"{browser} exited with {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }
}
