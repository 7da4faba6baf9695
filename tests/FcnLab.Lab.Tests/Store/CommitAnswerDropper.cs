using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FcnLab.Lab.Tests.Store;

/// <summary>
/// A TCP relay between a store and its PostgreSQL server that, once armed, passes the client's next COMMIT on to the
/// server and then cuts the connection as the server's answer arrives, without passing it back: a commit that went
/// through with its acknowledgement lost (a server restart or a network fault at the worst moment). Every other byte,
/// and every connection after, is relayed as it is.
/// </summary>
public sealed class CommitAnswerDropper : IDisposable
{
    // The protocol's simple query message holding COMMIT, as Npgsql sends a transaction's commit: 'Q', length 11, "COMMIT\0".
    private static readonly byte[] CommitMessage = [(byte)'Q', 0, 0, 0, 11, .. Encoding.ASCII.GetBytes("COMMIT"), 0];

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _serverHost;
    private readonly int _serverPort;
    private readonly List<TcpClient> _open = [];
    private volatile bool _armed;
    private volatile bool _dropped;

    public CommitAnswerDropper(string serverHost, int serverPort)
    {
        _serverHost = serverHost;
        _serverPort = serverPort;
        _listener.Start();
        _ = Task.Run(AcceptAll);
    }

    /// <summary>Where the store connects instead of the server (127.0.0.1).</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The next COMMIT's answer is dropped with the connection.</summary>
    public void DropNextCommitAnswer()
    {
        _dropped = false;
        _armed = true;
    }

    /// <summary>True once an armed COMMIT reached the server and its answer was dropped.</summary>
    public bool Dropped => _dropped;

    private async Task AcceptAll()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            var server = new TcpClient();
            await server.ConnectAsync(_serverHost, _serverPort);
            lock (_open) _open.AddRange([client, server]);
            var commitSent = new TaskCompletionSource();
            _ = Relay(client, server, toServer: true, commitSent);
            _ = Relay(server, client, toServer: false, commitSent);
        }
    }

    private async Task Relay(TcpClient from, TcpClient to, bool toServer, TaskCompletionSource commitSent)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int n = await from.GetStream().ReadAsync(buffer);
                if (n == 0) break;
                if (!toServer && commitSent.Task.IsCompleted)
                {
                    // The server answered the commit: it is done. The client never hears of it.
                    _armed = false;
                    _dropped = true;
                    break;
                }
                if (toServer && _armed && buffer.AsSpan(0, n).IndexOf(CommitMessage) >= 0) commitSent.TrySetResult();
                await to.GetStream().WriteAsync(buffer.AsMemory(0, n));
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
        }
        from.Close();
        to.Close();
    }

    public void Dispose()
    {
        _listener.Stop();
        lock (_open) foreach (var c in _open) c.Dispose();
    }
}
