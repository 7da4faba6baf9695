namespace FcnLab.Dashboard;

/// <summary>
/// What `fcnlab serve` was asked for: the run store's location (a SQLite path or a PostgreSQL URL), the address
/// to bind, the port (0: any free one) and the extra host names a request's Host header may carry.
/// </summary>
public sealed record DashboardOptions(string StoreLocation, string Host = DashboardOptions.DefaultHost, int Port = DashboardOptions.DefaultPort, IReadOnlyList<string>? AllowedHosts = null)
{
    public const string DefaultHost = "127.0.0.1";
    public const int DefaultPort = 8080;

    /// <summary>Loopback only: nobody else can reach the dashboard, which has no authentication.</summary>
    public bool IsLoopback => Host is "127.0.0.1" or "localhost" or "::1" or "[::1]";
}
