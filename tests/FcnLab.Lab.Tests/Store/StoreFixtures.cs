using System.Text;

namespace FcnLab.Lab.Tests.Store;

/// <summary>
/// The run stores written by main at be0ab45 (schema version 1), kept under Store/Fixtures/store-v1 (its README says
/// what they hold and how they were made): a SQLite file, a PostgreSQL dump, and the reports main wrote from them.
/// </summary>
public static class StoreFixtures
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Store", "Fixtures", "store-v1");

    public static string SqliteFile => Path.Combine(Directory, "store-v1.db");

    /// <summary>Where every run of the fixtures trained: a fixed path, since it is part of their stored settings.</summary>
    public const string DataDirectory = "/tmp/fcnlab-store-fixture/data";

    /// <summary>The sweep both stores hold.</summary>
    public const string Sweep = "fixture";

    /// <summary>A copy of the SQLite store at <paramref name="path"/>.</summary>
    public static string CopySqlite(string path)
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(SqliteFile, path, overwrite: true);
        return path;
    }

    /// <summary>Loads the PostgreSQL dump into the (empty) database of <paramref name="connectionString"/>.</summary>
    public static void RestorePostgres(string connectionString)
    {
        // pg_dump's psql meta-commands (\restrict, \unrestrict) are for psql only; the rest is plain SQL.
        var sql = new StringBuilder();
        foreach (string line in File.ReadLines(Path.Combine(Directory, "store-v1.postgres.sql")))
            if (!line.StartsWith('\\')) sql.Append(line).Append('\n');
        PostgresTestServer.Execute(connectionString, sql.ToString());
    }

    /// <summary>Puts the fixtures' data set where their runs trained (several tests may do it at once: each file goes in whole).</summary>
    public static void EnsureData()
    {
        System.IO.Directory.CreateDirectory(DataDirectory);
        foreach (string file in System.IO.Directory.GetFiles(Path.Combine(Directory, "data")))
        {
            string target = Path.Combine(DataDirectory, Path.GetFileName(file));
            if (File.Exists(target) && new FileInfo(target).Length == new FileInfo(file).Length) continue;
            string temp = target + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
            File.Copy(file, temp);
            File.Move(temp, target, overwrite: true);
        }
    }
}
