using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FcnLab.Dashboard;

/// <summary>
/// `fcnlab serve`: the dashboard over one run store, in this process. ASP.NET Core minimal APIs return
/// server-rendered HTML (the same SVG charts as report.html); one small script, served from this assembly,
/// refreshes a running run's page every second. Every request is a read: nothing in the store or on disk changes.
/// Security: requests must name an allowed host (DNS rebinding), every page carries a Content-Security-Policy
/// that allows only this server's own script, and runs are found by their store id, never by a path.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly StoreAccess _store;

    private DashboardServer(WebApplication app, StoreAccess store, Uri url)
    {
        _app = app;
        _store = store;
        Url = url;
    }

    /// <summary>The address the dashboard answers on (the port chosen when 0 was asked for).</summary>
    public Uri Url { get; }

    /// <summary>
    /// The header every response carries: scripts and style sheets from this server only, no inline script at all, no
    /// framing. Style attributes are allowed (the misclassified grid's SVG asks for pixelated images with one); they cannot run code.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    public static async Task<DashboardServer> StartAsync(DashboardOptions options, CancellationToken cancel = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            if (options.Host is "localhost") k.ListenLocalhost(options.Port);
            else k.Listen(IPAddress.Parse(options.Host.Trim('[', ']')), options.Port);
        });
        var app = builder.Build();
        var store = new StoreAccess(options.StoreLocation);
        var allowed = AllowedHosts(options);

        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers["Content-Security-Policy"] = ContentSecurityPolicy;
            headers["X-Content-Type-Options"] = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cache-Control"] = "no-store";
            string host = context.Request.Host.Host.Trim('[', ']');
            if (!allowed.Contains("*") && !allowed.Contains(host))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync($"Host '{host}' is not allowed: give it with --allowed-hosts (a guard against DNS rebinding).");
                return;
            }
            await next(context);
        });
        Routes.Map(app, store);
        await app.StartAsync(cancel);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        string shownHost = options.Host.Contains(':', StringComparison.Ordinal) && !options.Host.StartsWith('[') ? $"[{options.Host}]" : options.Host;
        return new DashboardServer(app, store, new Uri($"http://{shownHost}:{port.ToString(CultureInfo.InvariantCulture)}/"));
    }

    /// <summary>Host header names accepted: the bound address, loopback names when it is loopback, and --allowed-hosts ("*": any).</summary>
    internal static HashSet<string> AllowedHosts(DashboardOptions options)
    {
        var allowed = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { options.Host.Trim('[', ']') };
        if (options.IsLoopback) allowed.UnionWith(["127.0.0.1", "localhost", "::1"]);
        foreach (string h in options.AllowedHosts ?? []) allowed.Add(h.Trim().Trim('[', ']'));
        return allowed;
    }

    /// <summary>Runs until <paramref name="cancel"/> fires.</summary>
    public async Task WaitAsync(CancellationToken cancel)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancel);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _store.Dispose();
    }

    /// <summary>A file of wwwroot/ embedded in this assembly.</summary>
    internal static string Asset(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("wwwroot/" + name)
            ?? throw new InvalidOperationException($"wwwroot/{name} is not embedded in the dashboard assembly");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
