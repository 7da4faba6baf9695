using FcnLab.Lab.Tests.Store;

namespace FcnLab.Cli.Tests;

/// <summary>
/// `fcnlab report` of the sweep in the stores main wrote at be0ab45 (<see cref="StoreFixtures"/>), after this build
/// upgraded them to its schema: byte for byte the report main wrote from them, plus the configurations' plots issue 15 added.
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

        // Every file main wrote is written again byte for byte, except that report.html has gained the configurations'
        // section (issue 15: training and validation overlaid, parallel coordinates, a panel per configuration), whose
        // plots are also written as files of their own. Without that section the page is main's byte for byte.
        var expected = Directory.GetFiles(expectedDir).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToList();
        var added = Directory.GetFiles(outDir).Select(f => Path.GetFileName(f)!).Except(expected).Order(StringComparer.Ordinal).ToList();
        Assert.Empty(expected.Except(Directory.GetFiles(outDir).Select(f => Path.GetFileName(f)!)));
        Assert.Equal(["panel_1.svg", "panel_2.svg", "panel_3.svg", "panel_4.svg", "panel_5.svg", "panel_6.svg", "panel_7.svg", "panel_8.svg",
            "parallel.svg", "train_val_accuracy.svg", "train_val_loss.svg"], added);
        foreach (string name in expected.Where(n => n != "report.html"))
            Assert.True(File.ReadAllBytes(Path.Combine(expectedDir, name)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(outDir, name))), $"{name} differs from the report main wrote");
        string html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        int start = html.IndexOf("<h2>Configurations</h2>\n", StringComparison.Ordinal), end = html.IndexOf("<h2>Best run</h2>", StringComparison.Ordinal);
        Assert.True(start > 0 && end > start, "report.html has no configurations section before the best run");
        foreach (string name in added)
            Assert.Contains(File.ReadAllText(Path.Combine(outDir, name)).TrimEnd(), html[start..end]);
        Assert.Equal(File.ReadAllText(Path.Combine(expectedDir, "report.html")), html[..start] + html[end..]);
    }
}
