using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace FcnLab.Lab.Tests.Store;

/// <summary>
/// A throwaway PostgreSQL cluster of Debian's postgresql package: initdb into a temporary directory (trust
/// authentication, 127.0.0.1 only, fsync off: nothing here must survive), a server that can be stopped and
/// started again on the same port (a restart as a client sees it). As root the server tools run as the postgres
/// user (initdb refuses root). The shared test server (<see cref="PostgresTestServer"/>) is one of these.
/// </summary>
public sealed class PostgresCluster : IDisposable
{
    private readonly string _bin;
    private readonly bool _root = Environment.UserName == "root";

    public string Root { get; }
    public int Port { get; }

    /// <summary>Its maintenance database, without pooling (a stopped server leaves no pooled connection behind).</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false");

    private PostgresCluster(string bin, string dir, int port)
    {
        _bin = bin;
        Root = dir;
        Port = port;
    }

    /// <summary>Null when a cluster can be made here; else why not (no postgresql package, or as root no runuser).</summary>
    public static string? CannotBecause()
    {
        if (Bin() is null) return "no /usr/lib/postgresql/*/bin/initdb (apt-get install postgresql)";
        if (Environment.UserName == "root" && !File.Exists("/usr/sbin/runuser") && !File.Exists("/sbin/runuser")) return "running as root without runuser, so initdb cannot run as the postgres user";
        return null;
    }

    private static string? Bin() => Directory.Exists("/usr/lib/postgresql")
        ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
            .OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault()
        : null;

    /// <summary>A new cluster, initialized and started.</summary>
    public static PostgresCluster Start()
    {
        string bin = Bin() ?? throw new InvalidOperationException("no /usr/lib/postgresql/*/bin/initdb (apt-get install postgresql)");
        RemoveStoppedClusters();
        string dir = Directory.CreateTempSubdirectory("fcnlab-pg-").FullName;
        var cluster = new PostgresCluster(bin, dir, FreePort());
        if (cluster._root) Run("chown", ["postgres", dir], asPostgres: false);
        cluster.Tool("initdb", "-D", Path.Combine(dir, "data"), "-A", "trust", "-U", "postgres", "--no-sync");
        cluster.StartServer();
        return cluster;
    }

    /// <summary>Starts the (stopped) server again, on the same port and data.</summary>
    public void StartServer() =>
        Tool("pg_ctl", "-D", Path.Combine(Root, "data"), "-l", Path.Combine(Root, "log"), "-w", "-t", "60", "start",
            "-o", $"-p {Port.ToString(CultureInfo.InvariantCulture)} -k {Root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200");

    /// <summary>Stops the server as an administrator's restart does (fast: clients' connections are terminated).</summary>
    public void StopServer(string mode = "fast") => Tool("pg_ctl", "-D", Path.Combine(Root, "data"), "-m", mode, "-w", "stop");

    /// <summary>Stops the server and removes its files (best effort: a leftover temporary directory is harmless).</summary>
    public void Dispose()
    {
        try
        {
            StopServer("immediate");
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private void Tool(string name, params string[] args) => Run(Path.Combine(_bin, name), args, _root);

    /// <summary>The directories of earlier runs' clusters that are no longer running (a test process killed before its exit handler finished leaves one).</summary>
    private static void RemoveStoppedClusters()
    {
        foreach (string dir in Directory.GetDirectories(Path.GetTempPath(), "fcnlab-pg-*"))
        {
            // Not running, and not just made by a test process starting its own cluster beside this one.
            if (File.Exists(Path.Combine(dir, "data", "postmaster.pid")) || Directory.GetLastWriteTimeUtc(dir) > DateTime.UtcNow.AddMinutes(-10)) continue;
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another user's, or in use: leave it.
            }
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static void Run(string exe, string[] args, bool asPostgres)
    {
        var start = asPostgres ? new ProcessStartInfo("runuser") : new ProcessStartInfo(exe);
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", exe }) start.ArgumentList.Add(a);
        }
        foreach (var a in args) start.ArgumentList.Add(a);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = Path.GetTempPath();
        using var p = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {exe}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{Path.GetFileName(exe)} exited with {p.ExitCode}: {stderr.Trim()} {stdout.Result.Trim()}");
    }
}
