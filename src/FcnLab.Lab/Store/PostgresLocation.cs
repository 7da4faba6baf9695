using System.Globalization;
using System.Text.RegularExpressions;
using FcnLab.Engine;
using Npgsql;

namespace FcnLab.Lab.Store;

/// <summary>
/// A PostgreSQL run store's address: a URL (postgres://user:password@host:port/database?sslmode=require) or
/// an Npgsql connection string (Host=...;Database=...). <see cref="Display"/> is what FcnLab prints and
/// writes: the same address with every password left out.
/// </summary>
public sealed partial record PostgresLocation(string ConnectionString, string Display)
{
    [GeneratedRegex(@"(^|;)\s*(host|server)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex HostKey();

    /// <summary>True when <paramref name="location"/> names a PostgreSQL server rather than a SQLite file.</summary>
    public static bool Is(string location) =>
        location.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
        || location.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || HostKey().IsMatch(location);

    public static PostgresLocation Parse(string location)
    {
        var builder = location.Contains("://", StringComparison.Ordinal) ? FromUrl(location) : FromConnectionString(location);
        string display = Redacted(builder, location.Contains("://", StringComparison.Ordinal));
        // One store object owns one real connection: pooling would keep it open after Dispose (and block DROP DATABASE).
        builder.Pooling = false;
        if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = "fcnlab";
        return new PostgresLocation(builder.ConnectionString, display);
    }

    private static NpgsqlConnectionStringBuilder FromConnectionString(string text)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(text);
        }
        catch (ArgumentException e)
        {
            // The message names the bad keyword, never a value, so it cannot leak a password.
            throw new FcnLabException($"The run store connection string is not valid: {e.Message}. Write it as Host=HOST;Port=5432;Database=DB;Username=USER (a password is best given by PGPASSWORD or ~/.pgpass), or as postgres://USER@HOST:PORT/DB.");
        }
    }

    private static NpgsqlConnectionStringBuilder FromUrl(string url)
    {
        const string Form = "postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=require]";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw new FcnLabException($"The run store URL is not valid: write it as {Form}.");
        var b = new NpgsqlConnectionStringBuilder { Host = uri.Host.Trim('[', ']') };
        if (!uri.IsDefaultPort && uri.Port > 0) b.Port = uri.Port;
        if (uri.UserInfo.Length > 0)
        {
            int colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            b.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0) b.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }
        string database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0) b.Database = database;
        foreach (string pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            string key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            string value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            try
            {
                // libpq's spelling, as other tools write these URLs; anything else is an Npgsql keyword.
                b[key.Equals("sslmode", StringComparison.OrdinalIgnoreCase) ? "SSL Mode" : key] = value;
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
            {
                throw new FcnLabException($"The run store URL has a parameter '{key}' that Npgsql does not accept ({e.Message}). Write it as {Form}, with Npgsql connection-string keywords as further parameters.");
            }
        }
        return b;
    }

    /// <summary>The address without secrets: a URL stays a URL (user, host, port, database), a connection string loses its password keys.</summary>
    private static string Redacted(NpgsqlConnectionStringBuilder b, bool url)
    {
        if (url)
        {
            string user = string.IsNullOrEmpty(b.Username) ? "" : Uri.EscapeDataString(b.Username) + "@";
            string host = b.Host!.Contains(':', StringComparison.Ordinal) ? $"[{b.Host}]" : b.Host;
            return string.Create(CultureInfo.InvariantCulture, $"postgres://{user}{host}:{b.Port}/{Uri.EscapeDataString(b.Database ?? "")}");
        }
        var safe = new NpgsqlConnectionStringBuilder(b.ConnectionString) { Password = null, SslPassword = null };
        return safe.ConnectionString;
    }
}
