using FcnLab.Lab.Tests.Store;

namespace FcnLab.Cli.Tests;

/// <summary>
/// `fcnlab report` of the sweep in the stores main wrote at be0ab45 (<see cref="StoreFixtures"/>), after this build
/// upgraded them to its schema: byte for byte the report main wrote from them.
/// </summary>
public sealed class MigratedStoreReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fcnlab-migrated-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TheReportOfTheUpgradedSqliteStore_IsByteIdenticalToMains()
    {
        string store = StoreFixtures.CopySqlite(Path.Combine(_dir, "fcnlab.db"));
        AssertSameReport(store, Path.Combine(StoreFixtures.Directory, "sqlite-report"));
    }

    [PostgresFact]
    public void TheReportOfTheUpgradedPostgresStore_IsByteIdenticalToMains()
    {
        string database = PostgresTestServer.CreateDatabase();
        try
        {
            StoreFixtures.RestorePostgres(database);
            AssertSameReport(PostgresTestServer.Url(database), Path.Combine(StoreFixtures.Directory, "postgres-report"));
        }
        finally
        {
            PostgresTestServer.DropDatabase(database);
        }
    }

    private void AssertSameReport(string store, string expectedDir)
    {
        StoreFixtures.EnsureData();
        string outDir = Path.Combine(_dir, "report");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(["report", StoreFixtures.Sweep, "--store", store, "--out", outDir], stdout, stderr);
        Assert.True(code == 0, stderr.ToString() + stdout);
        Assert.Equal("", stderr.ToString()); // the data set was found: the misclassified grid is drawn

        var expected = Directory.GetFiles(expectedDir).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, Directory.GetFiles(outDir).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal));
        foreach (string name in expected)
            Assert.True(File.ReadAllBytes(Path.Combine(expectedDir, name)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(outDir, name))), $"{name} differs from the report main wrote");
    }
}
