using FcnLab.Engine.Random;
using FcnLab.Engine.Training;
using FcnLab.Lab.Reports;
using FcnLab.Lab.Search;
using FcnLab.Lab.Sweeps;

namespace FcnLab.Lab.Tests.Search;

/// <summary>What a search's report reads from its trials: best so far, parameter importance, the best trial as a command and a spec.</summary>
public class SearchAnalysisTests
{
    private static SearchTrial Trial(int number, SearchTrialState state, double? value, int epochs) =>
        new() { Number = number, State = state, Value = value, EpochValues = [.. Enumerable.Repeat(0.5, epochs)] };

    [Fact]
    public void BestSoFar_CountsOnlyCompletedTrialsButEveryTrialsEpochs()
    {
        // Out of order on purpose: the curve follows trial numbers. Trial 2 was pruned at a higher
        // value than any completed one; it is not the best, but its 2 epochs are compute spent.
        var trials = new[]
        {
            Trial(1, SearchTrialState.Completed, 0.80, 10),
            Trial(0, SearchTrialState.Failed, null, 3),
            Trial(2, SearchTrialState.Pruned, 0.95, 2),
            Trial(3, SearchTrialState.Completed, 0.85, 10),
            Trial(4, SearchTrialState.Completed, 0.83, 10),
            Trial(5, SearchTrialState.Running, null, 4),
        };
        var points = SearchProgress.BestSoFar(trials, SearchObjective.ValAccuracy);
        Assert.Equal([0, 1, 2, 3, 4, 5], points.Select(p => p.Trial));
        Assert.Equal([3L, 13, 15, 25, 35, 39], points.Select(p => p.Epochs));
        Assert.True(double.IsNaN(points[0].Best));
        Assert.Equal([0.80, 0.80, 0.85, 0.85, 0.85], points.Skip(1).Select(p => p.Best));
        Assert.Equal(3, SearchProgress.Best(trials, SearchObjective.ValAccuracy)!.Number);

        // Minimizing a loss: smaller is better; ties keep the earlier trial.
        var losses = new[] { Trial(0, SearchTrialState.Completed, 0.4, 1), Trial(1, SearchTrialState.Completed, 0.3, 1), Trial(2, SearchTrialState.Completed, 0.3, 1) };
        Assert.Equal([0.4, 0.3, 0.3], SearchProgress.BestSoFar(losses, SearchObjective.ValLoss).Select(p => p.Best));
        Assert.Equal(1, SearchProgress.Best(losses, SearchObjective.ValLoss)!.Number);
        Assert.Null(SearchProgress.Best([Trial(0, SearchTrialState.Pruned, 0.9, 1)], SearchObjective.ValAccuracy));
    }

    [Fact]
    public void Importance_FindsTheParameterTheObjectiveDependsOn()
    {
        var space = new SearchSpace([
            SearchParameter.LogUniform("lr", 1e-4, 1e-1),
            SearchParameter.Uniform("dropout", 0, 0.5),
            SearchParameter.Choice("optimizer", ["sgd", "adam", "rmsprop"]),
        ]);
        var rng = new Rng(7);
        var trials = new List<(SearchPoint, double)>();
        for (int i = 0; i < 60; i++)
        {
            double lr = Math.Exp(Math.Log(1e-4) + rng.NextDouble() * (Math.Log(1e-1) - Math.Log(1e-4)));
            double dropout = rng.NextDouble() * 0.5;
            int optimizer = (int)(rng.NextDouble() * 3);
            // Mostly lr (a bowl in log lr), a little optimizer, nothing of dropout but noise.
            double value = 0.9 - 0.05 * Math.Pow(Math.Log10(lr) + 2.5, 2) + 0.02 * optimizer + 0.002 * (rng.NextDouble() - 0.5);
            trials.Add((space.CreatePoint([lr, dropout, optimizer]), value));
        }
        var importance = ParameterImportance.Compute(space, trials);
        Assert.True(importance.Count == 3, string.Join("; ", importance));
        Assert.Equal(["lr", "optimizer", "dropout"], importance.Select(e => e.Name));
        Assert.Equal(1.0, importance.Sum(e => e.Share), 1e-12);
        Assert.True(importance[0].Share > 0.5, $"lr's share {importance[0].Share}");
        Assert.True(importance[2].OmegaSquared < 0.05, $"dropout's omega^2 {importance[2].OmegaSquared}");
        Assert.Equal(3, importance[1].Groups);
        Assert.Equal(8, importance[0].Groups); // round(sqrt(60)) equal-count bins

        Assert.Empty(ParameterImportance.Compute(space, trials.Take(3).ToList()));
        Assert.Empty(ParameterImportance.Compute(space, [.. trials.Select(t => (t.Item1, 0.5))]));
    }

    [Fact]
    public void Importance_BinsNeverSplitEqualValues()
    {
        var p = SearchParameter.Int("layers", 1, 4);
        var values = new List<(double, double)> { (1, 0.1), (1, 0.2), (1, 0.3), (1, 0.4), (2, 0.5), (2, 0.6), (3, 0.7), (4, 0.8), (4, 0.9) };
        var groups = ParameterImportance.Groups(p, values);
        Assert.Equal(9, groups.Sum(g => g.Count));
        // Every group holds one value of the parameter only where it had to be cut: 1s together, 4s together.
        Assert.Contains(groups, g => g.SequenceEqual([0.1, 0.2, 0.3, 0.4]));
        Assert.Contains(groups, g => g.Contains(0.8) && g.Contains(0.9));
    }

    [Fact]
    public void CommandLine_HoldsTheSettingsAwayFromTheirDefaults()
    {
        var config = TrainSettings.Apply(new TrainConfig(), [
            new("arch", "conv(32,3,pad=1) relu flatten dense(classes)"), new("lr", "0.003"), new("batch-norm", "true"),
            new("threads", "2"), new("data", "/tmp/my data"), new("epochs", "7"),
        ]);
        string line = TrainCommandLine.From(config);
        Assert.Equal("fcnlab train --data '/tmp/my data' --arch 'conv(32,3,pad=1) relu flatten dense(classes)' --batch-norm --lr 0.003 --epochs 7", line);
        Assert.DoesNotContain("--data", TrainCommandLine.From(config, includeData: false));
        Assert.Equal("fcnlab train", TrainCommandLine.From(new TrainConfig()));
        Assert.Equal("'it'\\''s'", TrainCommandLine.Shell("it's"));
    }

    [Fact]
    public void Recipe_IsASweepSpecThatTrainsTheBestPointOverSeeds()
    {
        var space = new SearchSpace([
            SearchParameter.LogUniform("lr", 1e-4, 1e-1),
            SearchParameter.Int(SearchSpace.HiddenLayers, 1, 3),
            SearchParameter.IntLog(SearchSpace.HiddenWidth, 64, 1024),
            SearchParameter.Choice("optimizer", ["sgd", "adam"]),
        ]);
        var best = space.CreatePoint([0.0012345678901234, 2, 300, 1]);
        string yaml = SearchRecipe.ToSpecYaml("search-fcn-best", "the best trial, \"3\" seeds", 11,
            [new("epochs", "20"), new("val-split", "0.1"), new("lr", "0.5"), new("seed", "5")], best, 3);
        var spec = SweepSpecParser.Parse(yaml);
        Assert.Equal("search-fcn-best", spec.Name);
        Assert.Equal(3, spec.Repeats);
        Assert.Equal(11, spec.BaseSeed);
        Assert.Single(SweepGrid.Points(spec));
        Assert.Equal(3, SweepGrid.Count(spec));
        var config = SweepGrid.Resolve(spec, SweepGrid.Points(spec)[0], spec.BaseSeed);
        Assert.Equal(0.0012345678901234, config.Optimizer.Lr);
        Assert.Equal([300, 300], config.Hidden);
        Assert.Equal(20, config.Epochs);
        Assert.Equal(best.ToSettings().Select(s => s.Key), spec.Axes.Select(a => a.Setting));
    }
}
