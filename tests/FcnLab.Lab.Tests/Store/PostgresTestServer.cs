using System.Globalization;
using FcnLab.Lab.Store;
using Npgsql;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace FcnLab.Lab.Tests.Store;

/// <summary>
/// The PostgreSQL server the tests use: $FCNLAB_TEST_POSTGRES (.ci/run starts a throwaway cluster and sets
/// it), else a throwaway cluster started here from Debian's postgresql package and stopped when the test
/// process exits. Each test class makes its own database (<see cref="CreateDatabase"/>) and drops it.
/// Without a server the PostgreSQL tests are skipped loudly, except under CI=true, where they fail.
/// </summary>
public static class PostgresTestServer
{
    public const string EnvironmentVariable = "FCNLAB_TEST_POSTGRES";

    private static readonly Lazy<(string? ConnectionString, string? Why)> Server = new(Find);

    /// <summary>Why the PostgreSQL tests are skipped; null when they run (always under CI=true, where a missing server fails them).</summary>
    public static string? SkipReason
    {
        get
        {
            if (Server.Value.ConnectionString != null || IsCi) return null;
            string reason = $"SKIPPED: no PostgreSQL server for the tests ({Server.Value.Why}). Install Debian's postgresql package, or set {EnvironmentVariable}=postgres://USER@HOST:PORT/DB.";
            Console.Error.WriteLine(reason);
            return reason;
        }
    }

    private static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The server's connection string (maintenance database), or an exception that says why there is none.</summary>
    public static string ConnectionString => Server.Value.ConnectionString
        ?? throw new InvalidOperationException($"No PostgreSQL server for the tests: {Server.Value.Why}. CI must provide one ({EnvironmentVariable}).");

    /// <summary>Creates a fresh database and returns its connection string.</summary>
    public static string CreateDatabase()
    {
        string name = "fcnlab_test_" + Guid.NewGuid().ToString("N")[..16];
        Execute(ConnectionString, $"CREATE DATABASE {name}");
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    public static void DropDatabase(string connectionString)
    {
        string name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        // FORCE: a killed worker's connection may linger for a moment.
        Execute(ConnectionString, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }

    /// <summary>The connection string as a postgres:// URL (what users type), with an optional password.</summary>
    public static string Url(string connectionString, string? password = null)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        string user = Uri.EscapeDataString(b.Username ?? "postgres") + (password == null ? "" : ":" + Uri.EscapeDataString(password));
        return string.Create(CultureInfo.InvariantCulture, $"postgres://{user}@{b.Host}:{b.Port}/{b.Database}");
    }

    public static void Execute(string connectionString, string sql)
    {
        using var c = new NpgsqlConnection(connectionString);
        c.Open();
        using var cmd = new NpgsqlCommand(sql, c);
        cmd.ExecuteNonQuery();
    }

    public static object? Scalar(string connectionString, string sql)
    {
        using var c = new NpgsqlConnection(connectionString);
        c.Open();
        using var cmd = new NpgsqlCommand(sql, c);
        return cmd.ExecuteScalar();
    }

    private static (string?, string?) Find()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } given)
        {
            string cs = PostgresLocation.Parse(given).ConnectionString;
            try
            {
                Scalar(cs, "SELECT 1");
                return (cs, null);
            }
            catch (NpgsqlException e)
            {
                return (null, $"{EnvironmentVariable} names a server that cannot be reached: {e.Message}");
            }
        }
        try
        {
            return (StartThrowawayCluster(), null);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.ComponentModel.Win32Exception or NpgsqlException)
        {
            return (null, $"{EnvironmentVariable} is not set and no throwaway cluster could be started: {e.Message}");
        }
    }

    /// <summary>A throwaway cluster of its own, stopped and removed when the test process exits.</summary>
    private static string StartThrowawayCluster()
    {
        if (PostgresCluster.CannotBecause() is { } why) throw new InvalidOperationException(why);
        var cluster = PostgresCluster.Start();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Dispose();
        return cluster.ConnectionString;
    }
}

/// <summary>A test that needs PostgreSQL: skipped (loudly) when there is no server, except under CI=true.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresTestServer.SkipReason is { } reason) Skip = reason;
    }
}

/// <summary>A fresh database for one test class, dropped after it.</summary>
public sealed class PostgresDatabase : IDisposable
{
    private readonly Lazy<string> _connectionString = new(PostgresTestServer.CreateDatabase);

    public string ConnectionString => _connectionString.Value;

    public void Dispose()
    {
        if (_connectionString.IsValueCreated) PostgresTestServer.DropDatabase(_connectionString.Value);
    }
}

/// <summary>Marks a test class whose every test needs PostgreSQL, including the ones it inherits.</summary>
public interface INeedsPostgres;

/// <summary>
/// A fact of a base class run against several stores (<see cref="RunStoreContractTests"/>): in a class that
/// needs PostgreSQL (<see cref="INeedsPostgres"/>) it is skipped as <see cref="PostgresFactAttribute"/> is.
/// </summary>
[XunitTestCaseDiscoverer("FcnLab.Lab.Tests.Store.StoreFactDiscoverer", "FcnLab.Lab.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute;

public sealed class StoreFactDiscoverer(IMessageSink sink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions options, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var display = options.MethodDisplayOrDefault();
        var displayOptions = options.MethodDisplayOptionsOrDefault();
        if (typeof(INeedsPostgres).IsAssignableFrom(testMethod.TestClass.Class.ToRuntimeType()) && PostgresTestServer.SkipReason is { } reason)
            return [new XunitSkippedDataRowTestCase(sink, display, displayOptions, testMethod, reason)];
        return [new XunitTestCase(sink, display, displayOptions, testMethod)];
    }
}
