using FcnLab.Engine;
using FcnLab.Engine.Random;
using FcnLab.Lab.Search;

namespace FcnLab.Lab.Tests.Search;

public class SearchSpaceTests
{
    [Theory]
    [InlineData("uniform", 0.5, 0.5, "needs [low, high] with low < high")]
    [InlineData("uniform", 1.0, 0.0, "needs [low, high] with low < high")]
    [InlineData("uniform", 0.0, double.PositiveInfinity, "both finite")]
    [InlineData("log_uniform", 0.0, 0.1, "0 < low < high")]
    [InlineData("log_uniform", -1.0, 0.1, "0 < low < high")]
    public void RealBoundsAreChecked(string kind, double low, double high, string message)
    {
        var e = Assert.Throws<FcnLabException>(() => kind == "uniform" ? SearchParameter.Uniform("dropout", low, high) : SearchParameter.LogUniform("lr", low, high));
        Assert.Contains(kind == "uniform" ? "'dropout'" : "'lr'", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void WholeBoundsAndChoicesAreChecked()
    {
        Assert.Contains("'epochs': int needs [low, high] with low < high (got [4, 4]); a fixed value is written {choice: [4]}",
            Assert.Throws<FcnLabException>(() => SearchParameter.Int("epochs", 4, 4)).Message);
        Assert.Contains("'hidden.width': int_log needs 1 <= low < high (got [0, 64])",
            Assert.Throws<FcnLabException>(() => SearchParameter.IntLog("hidden.width", 0, 64)).Message);
        Assert.Contains("'optimizer': choice is an empty list",
            Assert.Throws<FcnLabException>(() => SearchParameter.Choice("optimizer", [])).Message);
        Assert.Contains("'optimizer': choice lists 'adam' twice",
            Assert.Throws<FcnLabException>(() => SearchParameter.Choice("optimizer", ["adam", "sgd", "adam"])).Message);
        Assert.Contains("search parameter 'lr' is given twice",
            Assert.Throws<FcnLabException>(() => new SearchSpace([SearchParameter.Uniform("lr", 0, 1), SearchParameter.LogUniform("lr", 1e-3, 1)])).Message);
        Assert.Contains("at least one parameter", Assert.Throws<FcnLabException>(() => new SearchSpace([])).Message);
    }

    [Fact]
    public void ValuesFormatInvariantlyAndReadBackBitForBit()
    {
        var space = new SearchSpace([
            SearchParameter.LogUniform("lr", 1e-5, 1e-1),
            SearchParameter.Uniform("dropout", 0, 0.5),
            SearchParameter.IntLog("batch-size", 16, 1024),
            SearchParameter.Choice("optimizer", ["sgd", "rmsprop", "adam"]),
        ]);
        var rng = new Rng(3);
        for (int i = 0; i < 200; i++)
        {
            var point = RandomSampler.Sample(space, rng);
            var texts = point.ToParameters();
            Assert.Equal(["lr", "dropout", "batch-size", "optimizer"], texts.Select(t => t.Key));
            Assert.DoesNotContain(texts, t => t.Value.Contains(',') || t.Value.Contains(' '));
            var back = space.ParsePoint(texts);
            Assert.Equal(point, back);
            Assert.Equal(point.Values.Select(BitConverter.DoubleToInt64Bits), back.Values.Select(BitConverter.DoubleToInt64Bits));
        }
        var p = space.ParsePoint([new("lr", "0.001"), new("dropout", "0.25"), new("batch-size", "128"), new("optimizer", "adam")]);
        Assert.Equal(0.001, p["lr"]);
        Assert.Equal(2, p["optimizer"]); // a choice's value is its index
        Assert.Equal("adam", p.Text("optimizer"));
        Assert.Equal([new("lr", "0.001"), new("dropout", "0.25"), new("batch-size", "128"), new("optimizer", "adam")], p.ToSettings());
        Assert.Equal("lr=0.001, dropout=0.25, batch-size=128, optimizer=adam", p.ToString());
    }

    [Fact]
    public void StoredPointsThatNoLongerFitTheSpaceAreRefused()
    {
        var space = new SearchSpace([SearchParameter.Int("epochs", 5, 20), SearchParameter.Choice("optimizer", ["sgd", "adam"])]);
        Assert.Contains("'epochs': '21' is not a value of int [5, 20]",
            Assert.Throws<FcnLabException>(() => space.ParsePoint([new("epochs", "21"), new("optimizer", "sgd")])).Message);
        Assert.Contains("'epochs': '7.5' is not a value of int [5, 20]",
            Assert.Throws<FcnLabException>(() => space.ParsePoint([new("epochs", "7.5"), new("optimizer", "sgd")])).Message);
        Assert.Contains("'rmsprop' is not one of its choices (sgd, adam)",
            Assert.Throws<FcnLabException>(() => space.ParsePoint([new("epochs", "7"), new("optimizer", "rmsprop")])).Message);
        Assert.Contains("does not give search parameter 'optimizer'",
            Assert.Throws<FcnLabException>(() => space.ParsePoint([new("epochs", "7")])).Message);
        Assert.Contains("'lr' is not a parameter of this search space (epochs, optimizer)",
            Assert.Throws<FcnLabException>(() => space.ParsePoint([new("epochs", "7"), new("optimizer", "sgd"), new("lr", "0.1")])).Message);
        Assert.Contains("'epochs': 4 is not a value of int [5, 20]",
            Assert.Throws<FcnLabException>(() => space.CreatePoint([4, 0])).Message);
    }

    [Fact]
    public void TheNetworkShapeBecomesOneHiddenSetting()
    {
        var space = new SearchSpace([
            SearchParameter.LogUniform("lr", 1e-4, 1e-1),
            SearchParameter.Int(SearchSpace.HiddenLayers, 0, 4),
            SearchParameter.IntLog(SearchSpace.HiddenWidth, 64, 4096),
            SearchParameter.Choice("batch-norm", ["false", "true"]),
        ]);
        var three = space.CreatePoint([0.01, 3, 512, 1]);
        Assert.Equal([new("lr", "0.01"), new("hidden", "512,512,512"), new("batch-norm", "true")], three.ToSettings());
        Assert.Equal([new("lr", "0.01"), new("hidden.layers", "3"), new("hidden.width", "512"), new("batch-norm", "true")], three.ToParameters());
        Assert.Equal("none", space.CreatePoint([0.01, 0, 512, 0]).ToSettings()[1].Value); // 0 layers: softmax regression

        var byChoice = new SearchSpace([SearchParameter.Choice(SearchSpace.HiddenWidth, ["256", "1024"]), SearchParameter.Choice(SearchSpace.HiddenLayers, ["2"])]);
        Assert.Equal([new("hidden", "1024,1024")], byChoice.CreatePoint([1, 0]).ToSettings());
    }

    [Fact]
    public void TheNetworkShapeIsChecked()
    {
        Assert.Contains("both hidden.layers and hidden.width",
            Assert.Throws<FcnLabException>(() => new SearchSpace([SearchParameter.Int(SearchSpace.HiddenLayers, 1, 4)])).Message);
        Assert.Contains("'hidden.width' takes whole numbers",
            Assert.Throws<FcnLabException>(() => new SearchSpace([SearchParameter.Int(SearchSpace.HiddenLayers, 1, 4), SearchParameter.Uniform(SearchSpace.HiddenWidth, 64, 512)])).Message);
        Assert.Contains("'hidden.width': its choices must be whole numbers",
            Assert.Throws<FcnLabException>(() => new SearchSpace([SearchParameter.Int(SearchSpace.HiddenLayers, 1, 4), SearchParameter.Choice(SearchSpace.HiddenWidth, ["64", "wide"])])).Message);
        Assert.Contains("'hidden.layers': int [-1, 4] goes outside a number of layers from 0",
            Assert.Throws<FcnLabException>(() => new SearchSpace([SearchParameter.Int(SearchSpace.HiddenLayers, -1, 4), SearchParameter.IntLog(SearchSpace.HiddenWidth, 64, 512)])).Message);
        Assert.Contains("'hidden' is searched twice",
            Assert.Throws<FcnLabException>(() => new SearchSpace([SearchParameter.Int(SearchSpace.HiddenLayers, 1, 4), SearchParameter.IntLog(SearchSpace.HiddenWidth, 64, 512), SearchParameter.Choice("hidden", ["64"])])).Message);
    }

    [Fact]
    public void APointOfAnotherSpaceIsRefused()
    {
        var a = new SearchSpace([SearchParameter.Uniform("dropout", 0, 0.5)]);
        var same = new SearchSpace([SearchParameter.Uniform("dropout", 0, 0.5)]);
        var other = new SearchSpace([SearchParameter.Uniform("dropout", 0, 0.6)]);
        var point = a.CreatePoint([0.1]);
        Assert.Equal(same, a); // equal parameters: the same space, e.g. the spec parsed again after a restart
        Assert.Equal(point, same.CreatePoint([0.1]));
        Assert.Contains("belongs to another search space", Assert.Throws<FcnLabException>(() => other.Settings(point)).Message);
    }
}
