using FcnLab.Engine;
using FcnLab.Lab.Search;
using FcnLab.Lab.Sweeps;

namespace FcnLab.Lab.Tests.Sweeps;

/// <summary>A sweep spec with a space: block is a search: method, trials, objective and pruner, checked as the rest of the spec.</summary>
public class SearchSpecParserTests
{
    private const string Example = """
        name: fcn-search
        base: { epochs: 8, batch_size: 256, seed: 7 }
        method: random
        trials: 40
        objective: val_loss
        pruner: {kind: asha, min_epochs: 2, reduction_factor: 3}
        space:
          lr: {log_uniform: [1e-4, 1e-1]}
          dropout: {uniform: [0, 0.5]}
          optimizer: {choice: [sgd, adam]}
          hidden: {layers: {int: [1, 3]}, width: {int_log: [16, 512]}}
        """;

    [Fact]
    public void ParsesASearch()
    {
        var spec = SweepSpecParser.Parse(Example);
        var search = Assert.IsType<SearchSpec>(spec.Search);
        Assert.Empty(spec.Axes);
        Assert.Equal(7, spec.BaseSeed);
        Assert.Equal(SearchMethod.Random, search.Method);
        Assert.Equal(40, search.Trials);
        Assert.Equal(SearchObjective.ValLoss, search.Objective);
        Assert.Equal(new PrunerSpec { Kind = PrunerKind.Asha, MinEpochs = 2, ReductionFactor = 3 }, search.Pruner);
        Assert.Equal(["lr", "dropout", "optimizer", SearchSpace.HiddenLayers, SearchSpace.HiddenWidth], search.Space.Parameters.Select(p => p.Name));
        Assert.Equal(["lr", "dropout", "optimizer", "hidden"], search.SearchedSettings);
    }

    [Fact]
    public void DefaultsAreTpeValAccuracyAndNoPruner_AndThePrunersTakeOptunasDefaults()
    {
        var search = SweepSpecParser.Parse("name: s\ntrials: 3\nspace: { lr: {log_uniform: [1e-3, 1e-1]} }\n").Search!;
        Assert.Equal((SearchMethod.Tpe, SearchObjective.ValAccuracy, PrunerKind.None), (search.Method, search.Objective, search.Pruner.Kind));
        Assert.IsType<TpeSampler>(search.Sampler());
        var asha = Assert.IsType<AshaPruner>(SweepSpecParser.Parse("name: s\ntrials: 3\npruner: asha\nspace: { lr: {log_uniform: [1e-3, 1e-1]} }\n").Search!.Pruner.Create());
        Assert.Equal((1, 4), (asha.MinEpochs, asha.ReductionFactor));
        var median = Assert.IsType<MedianPruner>(SweepSpecParser.Parse("name: s\ntrials: 3\npruner: median\nspace: { lr: {log_uniform: [1e-3, 1e-1]} }\n").Search!.Pruner.Create());
        Assert.Equal(5, median.StartupTrials);
        Assert.Null(PrunerSpec.None.Create());
    }

    [Fact]
    public void TheWriterRoundTripsASearch()
    {
        var spec = SweepSpecParser.Parse(Example);
        string yaml = SweepSpecWriter.ToYaml(spec);
        var again = SweepSpecParser.Parse(yaml);
        Assert.Equal(spec.Search!.Space, again.Search!.Space);
        Assert.Equal(spec.Search with { Space = again.Search.Space }, again.Search);
        Assert.Equal((spec.Name, spec.BaseSeed), (again.Name, again.BaseSeed));
        Assert.Equal(spec.Base, again.Base);
        Assert.Equal(yaml, SweepSpecWriter.ToYaml(again));
        var changed = spec.WithBaseSetting("epochs", "12");
        Assert.Equal("12", SweepSpecParser.Parse(changed.SourceText).Base.Single(b => b.Key == "epochs").Value);
        Assert.Contains("its search chooses lr", Assert.Throws<FcnLabException>(() => spec.WithBaseSetting("lr", "0.1")).Message);
    }

    [Theory]
    [InlineData("name: s\ntrials: 3\naxes: { lr: [0.1] }\nspace: { dropout: {uniform: [0, 0.5]} }\n", "both axes (a grid) and space (a search)")]
    [InlineData("name: s\nspace: { lr: {log_uniform: [1e-3, 1e-1]} }\n", "a search needs trials: N")]
    [InlineData("name: s\ntrials: 0\nspace: { lr: {log_uniform: [1e-3, 1e-1]} }\n", "trials must be a whole number from 1")]
    [InlineData("name: s\ntrials: 3\nmethod: grid\nspace: { lr: {log_uniform: [1e-3, 1e-1]} }\n", "method grid walks axes")]
    [InlineData("name: s\ntrials: 3\nmethod: bayes\nspace: { lr: {log_uniform: [1e-3, 1e-1]} }\n", "method 'bayes' is not known")]
    [InlineData("name: s\ntrials: 3\nobjective: test_accuracy\nspace: { lr: {log_uniform: [1e-3, 1e-1]} }\n", "The test set is never the objective")]
    [InlineData("name: s\ntrials: 3\npruner: hyperband\nspace: { lr: {log_uniform: [1e-3, 1e-1]} }\n", "pruner 'hyperband' is not known")]
    [InlineData("name: s\ntrials: 3\npruner: {kind: asha, startup_trials: 2}\nspace: { lr: {log_uniform: [1e-3, 1e-1]} }\n", "pruner.startup_trials is not an option of the asha pruner")]
    [InlineData("name: s\ntrials: 3\npruner: {kind: asha, reduction_factor: 1}\nspace: { lr: {log_uniform: [1e-3, 1e-1]} }\n", "pruner.reduction_factor must be a whole number >= 2")]
    [InlineData("name: s\ntrials: 3\npruner: {kind: asha, grace: 1}\nspace: { lr: {log_uniform: [1e-3, 1e-1]} }\n", "unknown key 'grace' in pruner")]
    [InlineData("name: s\ntrials: 3\npruner: {min_epochs: 2}\nspace: { lr: {log_uniform: [1e-3, 1e-1]} }\n", "pruner needs its kind")]
    [InlineData("name: s\ntrials: 3\nrepeats: 2\nspace: { lr: {log_uniform: [1e-3, 1e-1]} }\n", "repeats is for a grid")]
    [InlineData("name: s\ntrials: 3\nbase: { lr: 0.1 }\nspace: { lr: {log_uniform: [1e-3, 1e-1]} }\n", "space.lr is also set in base")]
    [InlineData("name: s\ntrials: 3\nbase: { val_split: 0 }\nspace: { lr: {log_uniform: [1e-3, 1e-1]} }\n", "Set base.val_split")]
    [InlineData("name: s\ntrials: 3\nspace: { optimizer: {choice: [sgd, lion]} }\n", "the search point optimizer=lion is not a valid training")]
    [InlineData("name: s\ntrials: 3\naxes: { lr: [0.1] }\n", "trials belongs to a search")]
    [InlineData("name: s\npruner: asha\naxes: { lr: [0.1] }\n", "pruner belongs to a search")]
    [InlineData("name: s\nmethod: tpe\naxes: { lr: [0.1] }\n", "method tpe searches a space")]
    public void RefusesWhatASearchCannotBe(string yaml, string expected)
    {
        var e = Assert.Throws<FcnLabException>(() => SweepSpecParser.Parse(yaml));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void AGridMayStillSayMethodGrid()
    {
        var spec = SweepSpecParser.Parse("name: s\nmethod: grid\naxes: { lr: [0.1, 0.2] }\n");
        Assert.Null(spec.Search);
        Assert.Equal(2, spec.Axes[0].Values.Count);
    }
}
