using FcnLab.Engine;
using FcnLab.Lab.Store;
using Npgsql;

namespace FcnLab.Lab.Tests.Store;

public sealed class PostgresLocationTests
{
    [Theory]
    [InlineData("postgres://u@h/db", true)]
    [InlineData("postgresql://u@h:5433/db", true)]
    [InlineData("Host=db.lab;Database=runs", true)]
    [InlineData("Username=u; host = db.lab", true)]
    [InlineData("runs/fcnlab.db", false)]
    [InlineData("/data/host=1/fcnlab.db", false)]
    [InlineData("fcnlab.db", false)]
    public void Is_TellsServersFromSqliteFiles(string location, bool isPostgres)
    {
        Assert.Equal(isPostgres, PostgresLocation.Is(location));
        Assert.Equal(isPostgres, RunStores.IsPostgres(location));
    }

    [Fact]
    public void Parse_Url_DecodesEveryPartAndDisplaysItWithoutThePassword()
    {
        var l = PostgresLocation.Parse("postgres://lab%20user:s3cr%40t%3Apw@db.example.org:6543/fcn%2Druns?sslmode=require&Timeout=7");
        var b = new NpgsqlConnectionStringBuilder(l.ConnectionString);
        Assert.Equal("lab user", b.Username);
        Assert.Equal("s3cr@t:pw", b.Password);
        Assert.Equal("db.example.org", b.Host);
        Assert.Equal(6543, b.Port);
        Assert.Equal("fcn-runs", b.Database);
        Assert.Equal(SslMode.Require, b.SslMode);
        Assert.Equal(7, b.Timeout);
        Assert.False(b.Pooling);
        Assert.Equal("postgres://lab%20user@db.example.org:6543/fcn-runs", l.Display);
    }

    [Fact]
    public void Parse_UrlWithoutPortOrUser_UsesTheDefaultPort()
    {
        var l = PostgresLocation.Parse("postgresql://db/runs");
        Assert.Equal(5432, new NpgsqlConnectionStringBuilder(l.ConnectionString).Port);
        Assert.Equal("postgres://db:5432/runs", l.Display);
    }

    [Fact]
    public void Parse_ConnectionString_DropsThePasswordFromTheDisplay()
    {
        var l = PostgresLocation.Parse("Host=db;Database=runs;Username=u;Password=Tr0ub4dor;SSL Password=k3yPass");
        Assert.DoesNotContain("Tr0ub4dor", l.Display);
        Assert.DoesNotContain("k3yPass", l.Display);
        Assert.Contains("Host=db", l.Display);
        Assert.Equal("Tr0ub4dor", new NpgsqlConnectionStringBuilder(l.ConnectionString).Password);
    }

    [Theory]
    [InlineData("postgres://u:Tr0ub4dor@h/db?nonsense=1", "nonsense")]
    [InlineData("Host=h;Password=Tr0ub4dor;Nonsense=1", "nonsense")]
    [InlineData("postgres://u:Tr0ub4dor@:5432/db", "not valid")]
    public void Parse_BadInput_SaysWhatIsWrongWithoutThePassword(string location, string expected)
    {
        var e = Assert.Throws<FcnLabException>(() => PostgresLocation.Parse(location));
        Assert.Contains(expected, e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Tr0ub4dor", e.Message);
    }
}
