using FcnLab.Engine;
using FcnLab.Lab.Search;

namespace FcnLab.Lab.Tests.Search;

public class SearchSpaceParserTests
{
    [Fact]
    public void ParsesTheIssueExample()
    {
        var space = SearchSpaceParser.Parse("""
            lr: {log_uniform: [1e-5, 1e-1]}
            dropout: {uniform: [0, 0.5]}
            epochs: {int: [1, 4]}
            batch_size: {int_log: [64, 4096]}
            optimizer: {choice: [sgd, rmsprop, adam]}
            batch-norm: {choice: [false, true]}
            hidden: {layers: {int: [1, 4]}, width: {int_log: [64, 4096]}}
            """);
        Assert.Equal(["lr", "dropout", "epochs", "batch-size", "optimizer", "batch-norm", "hidden.layers", "hidden.width"], space.Parameters.Select(p => p.Name));
        Assert.Equal([DistributionKind.LogUniform, DistributionKind.Uniform, DistributionKind.Int, DistributionKind.IntLog,
            DistributionKind.Choice, DistributionKind.Choice, DistributionKind.Int, DistributionKind.IntLog], space.Parameters.Select(p => p.Kind));
        Assert.Equal((1e-5, 1e-1), (space["lr"].Low, space["lr"].High));
        Assert.Equal((64.0, 4096.0), (space["batch-size"].Low, space["batch-size"].High));
        Assert.Equal(["sgd", "rmsprop", "adam"], space["optimizer"].Choices);
        Assert.Equal(["false", "true"], space["batch-norm"].Choices);
        var point = space.CreatePoint([0.003, 0.1, 2, 256, 2, 1, 2, 1000]);
        Assert.Equal([new("lr", "0.003"), new("dropout", "0.1"), new("epochs", "2"), new("batch-size", "256"), new("optimizer", "adam"),
            new("batch-norm", "true"), new("hidden", "1000,1000")], point.ToSettings());
    }

    [Fact]
    public void ChoicesOfListsAndArchitectures()
    {
        var hidden = SearchSpaceParser.Parse("hidden: {choice: [[1200, 2000, 800], [512, 512], []]}");
        Assert.Equal(["1200,2000,800", "512,512", "none"], hidden["hidden"].Choices);
        var arch = SearchSpaceParser.Parse("""
            arch: {choice: ["dense(256) relu dense(10)", mlp-small]}
            """);
        Assert.Equal(["dense(256) relu dense(10)", "mlp-small"], arch["arch"].Choices);
    }

    [Fact]
    public void WorksOnTheSpaceNodeOfAWholeSpec()
    {
        var stream = new YamlDotNet.RepresentationModel.YamlStream();
        stream.Load(new StringReader("""
            name: s
            space:
              lr: {log_uniform: [0, 1e-1]}
            """));
        var root = (YamlDotNet.RepresentationModel.YamlMappingNode)stream.Documents[0].RootNode;
        var e = Assert.Throws<FcnLabException>(() => SearchSpaceParser.Parse(root.Children[new YamlDotNet.RepresentationModel.YamlScalarNode("space")], "studies/search.yaml"));
        Assert.StartsWith("studies/search.yaml, line 3: search parameter 'lr': log_uniform needs 0 < low < high (got [0, 0.1])", e.Message);
    }

    [Theory]
    [InlineData("lr: 0.1", "line 1: space.lr must be one distribution, e.g. {log_uniform: [1e-5, 1e-1]}")]
    [InlineData("lr: [0.1, 0.01]", "space.lr must be one distribution")]
    [InlineData("lr: {loguniform: [1e-5, 1e-1]}", "space.lr: unknown distribution 'loguniform'. Known: log_uniform, uniform, int, int_log, choice.")]
    [InlineData("lr: {log_uniform: 0.1}", "space.lr: log_uniform takes [low, high]")]
    [InlineData("lr: {log_uniform: [1e-5]}", "space.lr: log_uniform takes two numbers, [low, high] (got 1 values)")]
    [InlineData("lr: {log_uniform: [1e-5, abc]}", "space.lr: log_uniform bounds must be numbers (got 'abc')")]
    [InlineData("lr: {log_uniform: [1e-1, 1e-5]}", "search parameter 'lr': log_uniform needs [low, high] with low < high")]
    [InlineData("epochs: {int: [1, 4.5]}", "space.epochs: int bounds must be whole numbers (got '4.5')")]
    [InlineData("optimizer: {choice: []}", "search parameter 'optimizer': choice is an empty list")]
    [InlineData("optimizer: {choice: sgd}", "space.optimizer: choice takes a list of values")]
    [InlineData("learning_rate: {uniform: [0, 1]}", "space.learning_rate is not a training setting. Known settings:")]
    [InlineData("seed: {int: [1, 9]}", "space.seed: a search derives each trial's seed")]
    [InlineData("threads: {int: [1, 2]}", "space.threads: threads cannot be searched")]
    [InlineData("batch-norm: {uniform: [0, 1]}", "space.batch-norm is a switch: search it with {choice: [false, true]}")]
    [InlineData("hidden: {int: [1, 4]}", "space.hidden is searched as a shape")]
    [InlineData("hidden: {layers: {int: [1, 4]}}", "space.hidden gives layers but no width")]
    [InlineData("hidden: {layers: {int: [1, 4]}, width: {int_log: [64, 4096]}, depth: 3}", "unknown key 'depth' in space.hidden")]
    [InlineData("hidden: {layers: {int: [1, 4]}, width: {uniform: [64, 4096]}}", "search parameter 'hidden.width' takes whole numbers")]
    [InlineData("batch_size: {int: [16, 64]}\nbatch-size: {int: [16, 64]}", "line 2: space.batch-size is given twice (batch_size and batch-size are the same setting)")]
    [InlineData("arch: {choice: [mlp]}\nhidden: {choice: [[64]]}", "space searches both arch and hidden")]
    [InlineData("{}", "space is empty")]
    [InlineData("[lr]", "space must be a mapping from settings to distributions")]
    public void BadSpacesSayWhatIsWrong(string yaml, string message)
    {
        var e = Assert.Throws<FcnLabException>(() => SearchSpaceParser.Parse(yaml, "spec"));
        Assert.StartsWith("spec", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void BadYamlIsAnFcnLabException()
    {
        Assert.Contains("not valid YAML", Assert.Throws<FcnLabException>(() => SearchSpaceParser.Parse("lr: {log_uniform: [1e-5", "spec")).Message);
    }
}
