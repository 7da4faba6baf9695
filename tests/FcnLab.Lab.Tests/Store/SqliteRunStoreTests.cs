using FcnLab.Engine;
using FcnLab.Lab.Store;
using Microsoft.Data.Sqlite;

namespace FcnLab.Lab.Tests.Store;

/// <summary>The run store contract on SQLite, and what only the SQLite store does (its file, WAL, its schema version).</summary>
public sealed class SqliteRunStoreTests : RunStoreContractTests
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fcnlab-store-" + Guid.NewGuid().ToString("N"));

    private string DbPath => Path.Combine(_dir, "runs", "fcnlab.db");

    public override void Dispose()
    {
        base.Dispose();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    protected override IRunStore OpenStore(Func<DateTime>? clock) =>
        clock == null ? SqliteRunStore.Open(DbPath) : SqliteRunStore.Open(DbPath, clock);

    private SqliteRunStore Open()
    {
        var store = SqliteRunStore.Open(DbPath);
        Opened.Add(store);
        return store;
    }

    private SqliteConnection RawConnection()
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString());
        c.Open();
        Opened.Add(c);
        return c;
    }

    private static object? Scalar(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    [Fact]
    public void Open_CreatesTheFileInWalModeAndReportsTheFullPath()
    {
        var store = Open();
        Assert.Equal(Path.GetFullPath(DbPath), store.Location);
        Assert.True(File.Exists(DbPath));
        var raw = RawConnection();
        Assert.Equal("wal", Scalar(raw, "PRAGMA journal_mode") as string);
        Assert.Equal((long)SqliteRunStore.SchemaVersion, Scalar(raw, "PRAGMA user_version"));
    }

    [Fact]
    public void Open_TextFile_SaysItIsNotASqliteDatabase()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DbPath)!);
        File.WriteAllText(DbPath, "lr: [0.1, 0.01]\nthis is a sweep spec, not a database, and it is long enough to fill a header page.\n");
        var e = Assert.Throws<FcnLabException>(() => Open());
        Assert.Contains(Path.GetFullPath(DbPath), e.Message);
        Assert.Contains("not a SQLite database", e.Message);
    }

    [Fact]
    public void Open_NewerSchemaVersion_SaysWhichVersionsAreInvolved()
    {
        Open().Dispose();
        using (var raw = RawConnection()) Scalar(raw, "PRAGMA user_version = 99");
        var e = Assert.Throws<FcnLabException>(() => Open());
        Assert.Contains("schema version 99", e.Message);
        Assert.Contains($"version {SqliteRunStore.SchemaVersion} at most", e.Message);
    }

    [Fact]
    public void Open_ForeignSqliteDatabase_IsRefused()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DbPath)!);
        using (var raw = RawConnection()) Scalar(raw, "CREATE TABLE photos (id INTEGER)");
        var e = Assert.Throws<FcnLabException>(() => Open());
        Assert.Contains("not an FcnLab run store", e.Message);
    }
}
