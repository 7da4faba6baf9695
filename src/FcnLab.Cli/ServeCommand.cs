using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FcnLab.Dashboard;

namespace FcnLab.Cli;

/// <summary>fcnlab serve: the live dashboard over the run store, in this process, until Ctrl-C (or SIGTERM).</summary>
public static class ServeCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, CancellationToken cancel = default)
    {
        var command = new Command("serve", "Serve a live web dashboard over the run store (runs, sweeps, comparisons; read-only) and print its URL.");
        var store = StoreOption.Create();
        var host = new Option<string>("--host") { Description = $"Address to listen on. Default: {DashboardOptions.DefaultHost} (this machine only). The dashboard has no authentication.", HelpName = "address" };
        var port = new Option<int?>("--port") { Description = $"Port to listen on (0: any free port). Default: {DashboardOptions.DefaultPort}.", HelpName = "n" };
        var allowedHosts = new Option<string>("--allowed-hosts") { Description = "Comma-separated host names the browser may use to reach the dashboard besides the bound address (requests naming any other Host are refused, against DNS rebinding); * allows any.", HelpName = "names" };
        var open = new Option<bool>("--open") { Description = "Open the dashboard in the default browser." };
        foreach (var o in new Option[] { store, host, port, allowedHosts, open }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            string h = parse.GetValue(host) ?? DashboardOptions.DefaultHost;
            if (h != "localhost" && !IPAddress.TryParse(h.Trim('[', ']'), out _))
                throw new FcnLabException($"--host must be an IP address such as 127.0.0.1, 0.0.0.0 or ::1, or localhost (got '{h}').");
            int p = parse.GetValue(port) ?? DashboardOptions.DefaultPort;
            if (p is < 0 or > 65535) throw new FcnLabException($"--port must be from 0 to 65535 (got {p.ToString(CultureInfo.InvariantCulture)}).");
            var allowed = (parse.GetValue(allowedHosts) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var options = new DashboardOptions(RunStores.Resolve(parse.GetValue(store)), h, p, allowed);
            if (!options.IsLoopback)
                stderr.WriteLine($"warning: the dashboard listens on {h}, reachable from other machines, and has no authentication: anyone who can reach it sees every run.");

            using var interruption = new Interruption(stderr, cancel);
            DashboardServer server;
            try
            {
                server = DashboardServer.StartAsync(options, interruption.Token).GetAwaiter().GetResult();
            }
            catch (IOException e)
            {
                throw new FcnLabException($"Cannot listen on {h}:{p.ToString(CultureInfo.InvariantCulture)}: {e.Message}. Choose another --port (0 picks a free one).", e);
            }
            catch (SocketException e)
            {
                throw new FcnLabException($"Cannot listen on {h}:{p.ToString(CultureInfo.InvariantCulture)}: {e.Message}. Choose another --port or --host.", e);
            }
            stdout.WriteLine($"FcnLab dashboard of {options.StoreLocation}: {server.Url}");
            stdout.WriteLine("Press Ctrl-C to stop.");
            stdout.Flush();
            if (parse.GetValue(open)) OpenBrowser(server.Url, stderr);
            server.WaitAsync(interruption.Token).GetAwaiter().GetResult();
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return ExitCodes.Success;
        });
        return command;
    }

    private static void OpenBrowser(Uri url, TextWriter stderr)
    {
        try
        {
            string opener = OperatingSystem.IsWindows() ? "explorer" : OperatingSystem.IsMacOS() ? "open" : "xdg-open";
            using var process = Process.Start(new ProcessStartInfo(opener, url.AbsoluteUri) { UseShellExecute = false });
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            stderr.WriteLine($"note: could not open a browser ({e.Message}); open {url} yourself.");
        }
    }
}
