using FcnLab.Engine;
using FcnLab.Lab.Search;

namespace FcnLab.Lab.Tests.Search;

/// <summary>Pruning decisions on histories built by hand, with the rungs and medians worked out in the comments.</summary>
public class PrunerTests
{
    private static readonly SearchObjective Acc = SearchObjective.ValAccuracy; // maximized
    private static readonly SearchObjective Loss = SearchObjective.ValLoss;    // minimized

    private static SearchTrial T(int number, SearchTrialState state, params double[] epochs) =>
        new() { Number = number, State = state, EpochValues = epochs };

    private static SearchTrial Running(int number, params double[] epochs) => T(number, SearchTrialState.Running, epochs);

    // ---- ASHA ---------------------------------------------------------------------------------

    [Fact]
    public void RungsSitAtMinEpochsTimesPowersOfTheReductionFactor()
    {
        Assert.Equal([1, 4, 16, 64], new AshaPruner().Rungs(100));
        Assert.Equal([2, 6, 18, 54], new AshaPruner(minEpochs: 2, reductionFactor: 3).Rungs(60));
        Assert.Equal([4, 16, 64], new AshaPruner(minEarlyStoppingRate: 1).Rungs(100));
        Assert.Empty(new AshaPruner(minEpochs: 5).Rungs(4));
        Assert.Throws<FcnLabException>(() => new AshaPruner(reductionFactor: 1));
        Assert.Throws<FcnLabException>(() => new AshaPruner(minEpochs: 0));
    }

    [Fact]
    public void AshaPrunesATrialBelowTheTopQuarterOfItsRung()
    {
        var history = new List<SearchTrial>
        {
            T(0, SearchTrialState.Completed, 0.70, 0.80, 0.84, 0.86, 0.87),
            Running(1, 0.72, 0.79, 0.83, 0.85, 0.86),
            T(2, SearchTrialState.Pruned, 0.60),
        };
        var asha = new AshaPruner();

        // Epoch 1 (rung 0): 0.70, 0.72, 0.60 and its own 0.75. Four values: floor(4/4) = 1 continues; 0.75 is the best.
        var e1 = asha.Decide(Running(3, 0.75), history, Acc);
        Assert.False(e1.Prune);
        Assert.Equal("promoted at epoch 1: val_accuracy 0.75 within the rung's top 1/4 (0.75: the best 1 of 4 trials at epoch 1)", e1.Reason);

        // Epochs 2 and 3 are no rung: nothing happens, however bad.
        var e3 = asha.Decide(Running(3, 0.75, 0.10, 0.10), history, Acc);
        Assert.False(e3.Prune);
        Assert.Equal("epoch 3 is not a rung (next rung: epoch 4)", e3.Reason);

        // Epoch 4 (rung 1): trials 0 and 1 reached it (0.86, 0.85; trial 2 was pruned at epoch 1). Three values,
        // fewer than 4: only the best continues (Optuna's rule), and 0.81 is not it.
        var e4 = asha.Decide(Running(3, 0.75, 0.78, 0.80, 0.81), history, Acc);
        Assert.True(e4.Prune);
        Assert.Equal(4, e4.Epoch);
        Assert.Equal("pruned at epoch 4: val_accuracy 0.81 below the rung's top 1/4 (0.86: the best 1 of 3 trials at epoch 4)", e4.Reason);

        // A trial tied with the best continues.
        Assert.False(asha.Decide(Running(3, 0.75, 0.78, 0.80, 0.86), history, Acc).Prune);
    }

    [Theory]
    [InlineData(0.75, false)] // 9 values at the rung: the best floor(9/4) = 2 continue: 0.8 and 0.75 (its own)
    [InlineData(0.7, false)]  // 0.8 and 0.7 are the best two (0.7 twice): a tie with the threshold continues
    [InlineData(0.65, true)]  // below 0.7, the second best
    public void AshaKeepsTheBestQuarterMaximizing(double value, bool pruned)
    {
        var history = Enumerable.Range(1, 8).Select(i => T(i, SearchTrialState.Completed, i / 10.0)).ToList(); // 0.1 .. 0.8
        Assert.Equal(pruned, new AshaPruner().Decide(Running(9, value), history, Acc).Prune);
    }

    [Theory]
    [InlineData(0.2, false)]  // ascending: 0.1, 0.2 (two of them) ...: the best two are 0.1 and 0.2
    [InlineData(0.15, false)]
    [InlineData(0.25, true)]
    public void AshaKeepsTheBestQuarterMinimizing(double value, bool pruned)
    {
        var history = Enumerable.Range(1, 8).Select(i => T(i, SearchTrialState.Completed, i / 10.0)).ToList();
        var decision = new AshaPruner().Decide(Running(9, value), history, Loss);
        Assert.Equal(pruned, decision.Prune);
        if (pruned) Assert.Equal("pruned at epoch 1: val_loss 0.25 above the rung's top 1/4 (0.2: the best 2 of 9 trials at epoch 1)", decision.Reason);
    }

    [Fact]
    public void AshaCountsEveryTrialThatReachedTheRungButNoNaN()
    {
        // Other states count alike: a pruned trial reached the rung before it was stopped there; a running
        // one reached it while this trial trained (a decision never waits for anyone).
        var history = new List<SearchTrial> { T(0, SearchTrialState.Pruned, 0.9), Running(1, 0.3, 0.4), T(2, SearchTrialState.Failed, double.NaN) };
        Assert.True(new AshaPruner().Decide(Running(3, 0.5), history, Acc).Prune); // 0.9 is better: 3 values, only the best continues
        Assert.False(new AshaPruner().Decide(Running(3, 0.5), [history[2]], Acc).Prune); // the NaN is no competitor
        var nan = new AshaPruner().Decide(Running(3, double.NaN), [], Acc);
        Assert.True(nan.Prune);
        Assert.Equal("pruned at epoch 1: val_accuracy is NaN at a rung", nan.Reason);
    }

    [Fact]
    public void AshaWithLargerFirstRungs()
    {
        // min_epochs 2, factor 3: rungs at 2, 6, 18. With rate 1 the first rung is at 6.
        var history = new List<SearchTrial> { T(0, SearchTrialState.Completed, 0.5, 0.4, 0.3, 0.3, 0.3, 0.2) };
        var pruner = new AshaPruner(minEpochs: 2, reductionFactor: 3);
        Assert.False(pruner.Decide(Running(1, 0.9), history, Loss).Prune);              // epoch 1: no rung
        Assert.True(pruner.Decide(Running(1, 0.9, 0.45), history, Loss).Prune);         // epoch 2: 0.45 against 0.4
        Assert.False(pruner.Decide(Running(1, 0.9, 0.35), history, Loss).Prune);
        var later = new AshaPruner(minEpochs: 2, reductionFactor: 3, minEarlyStoppingRate: 1);
        Assert.False(later.Decide(Running(1, 0.9, 0.45), history, Loss).Prune);         // epoch 2 is no rung any more
        Assert.True(later.Decide(Running(1, 0.9, 0.45, 0.4, 0.4, 0.4, 0.25), history, Loss).Prune); // epoch 6: 0.25 against 0.2
    }

    [Fact]
    public void AResumedTrialGetsTheSameDecisionsFromTheSameStoredValues()
    {
        // The trial was killed after epoch 3 and resumed from its checkpoint: the pruners saw epochs 1-3
        // before, and see the same stored values now; nothing else is kept anywhere.
        var history = new List<SearchTrial>
        {
            T(0, SearchTrialState.Completed, 0.70, 0.80, 0.84, 0.86),
            T(1, SearchTrialState.Completed, 0.72, 0.79, 0.83, 0.85),
            T(2, SearchTrialState.Completed, 0.74, 0.78, 0.82, 0.84),
            T(3, SearchTrialState.Completed, 0.73, 0.77, 0.81, 0.83),
            T(4, SearchTrialState.Completed, 0.71, 0.76, 0.80, 0.82),
        };
        double[] curve = [0.75, 0.78, 0.79, 0.90];
        foreach (IPruner pruner in new IPruner[] { new AshaPruner(), new MedianPruner() })
        {
            var before = Enumerable.Range(1, 4).Select(e => pruner.Decide(Running(5, curve[..e]), history, Acc)).ToList();
            var trial = Running(5, curve);
            var withItself = history.Append(trial).ToList(); // the store's whole list, the trial included
            var after = Enumerable.Range(1, 4).Select(e => pruner.Decide(Running(5, curve[..e]), withItself, Acc)).ToList();
            Assert.Equal(before, after);
            Assert.Equal(before[3], pruner.Decide(trial, history, Acc));
        }
    }

    // ---- median -------------------------------------------------------------------------------

    private static List<SearchTrial> FiveCompleted() =>
    [
        T(0, SearchTrialState.Completed, 0.80, 0.50, 0.45),
        T(1, SearchTrialState.Completed, 0.70, 0.40, 0.35),
        T(2, SearchTrialState.Completed, 0.90, 0.60, 0.50),
        T(3, SearchTrialState.Completed, 0.75, 0.45, 0.40),
        T(4, SearchTrialState.Completed, 0.85, 0.55, 0.50),
    ];

    [Fact]
    public void MedianPrunesWhenTheBestSoFarIsWorseThanTheMedianAtThatEpoch()
    {
        var median = new MedianPruner();
        // Epoch 2: the completed trials had 0.50, 0.40, 0.60, 0.45, 0.55: median 0.50.
        var worse = median.Decide(Running(5, 0.70, 0.52), FiveCompleted(), Loss);
        Assert.True(worse.Prune);
        Assert.Equal("pruned at epoch 2: best val_loss so far 0.52 is worse than the median 0.5 of 5 completed trials at epoch 2", worse.Reason);
        Assert.False(median.Decide(Running(5, 0.70, 0.50), FiveCompleted(), Loss).Prune); // a tie is not worse
        Assert.False(median.Decide(Running(5, 0.45, 0.70), FiveCompleted(), Loss).Prune); // its best so far (0.45, epoch 1) counts
        // Epoch 1: median 0.80; 0.81 is worse.
        Assert.True(median.Decide(Running(5, 0.81), FiveCompleted(), Loss).Prune);
    }

    [Fact]
    public void MedianWaitsForFiveCompletedTrialsAndCountsOnlyThose()
    {
        var median = new MedianPruner();
        var four = FiveCompleted().Take(4).ToList();
        var startup = median.Decide(Running(5, 0.99, 0.99), four, Loss);
        Assert.False(startup.Prune);
        Assert.Equal("epoch 2: startup, 4 of 5 trials completed", startup.Reason);

        // Pruned and running trials neither count toward the five nor enter the median, however good.
        var others = four.Concat([T(6, SearchTrialState.Pruned, 0.1, 0.1), Running(7, 0.1, 0.1), T(8, SearchTrialState.Failed, 0.1, 0.1)]).ToList();
        Assert.False(median.Decide(Running(5, 0.99, 0.99), others, Loss).Prune);
        // With the fifth completed: epoch 2 median 0.50 again, the pruned/running 0.1s ignored, so 0.48 continues.
        others.Add(FiveCompleted()[4]);
        Assert.False(median.Decide(Running(5, 0.99, 0.48), others, Loss).Prune);
    }

    [Fact]
    public void MedianOfAnEvenCountAndOfTrialsThatStoppedEarly()
    {
        var history = FiveCompleted();
        history.Add(T(6, SearchTrialState.Completed, 0.60)); // completed (early-stopped) after one epoch
        // Epoch 1: six values 0.80, 0.70, 0.90, 0.75, 0.85, 0.60: median (0.75 + 0.80) / 2 = 0.775.
        var e1 = new MedianPruner().Decide(Running(7, 0.78), history, Loss);
        Assert.True(e1.Prune);
        Assert.Contains("the median 0.775 of 6 completed trials at epoch 1", e1.Reason);
        // Epoch 3: trial 6 never got there: five values, median 0.45.
        Assert.Contains("the median 0.45 of 5 completed trials at epoch 3", new MedianPruner().Decide(Running(7, 0.9, 0.9, 0.44), history, Loss).Reason);
        // Epoch 4: no completed trial reached it.
        var e4 = new MedianPruner().Decide(Running(7, 0.9, 0.9, 0.9, 0.9), history, Loss);
        Assert.False(e4.Prune);
        Assert.Equal("epoch 4: no completed trial reached epoch 4", e4.Reason);
    }

    [Fact]
    public void MedianMaximizing()
    {
        var history = FiveCompleted().Select(t => t with { EpochValues = [.. t.EpochValues.Select(v => 1 - v)] }).ToList();
        // Epoch 2 accuracies 0.50, 0.60, 0.40, 0.55, 0.45: median 0.50.
        var below = new MedianPruner().Decide(Running(5, 0.3, 0.49), history, Acc);
        Assert.True(below.Prune);
        Assert.Equal("pruned at epoch 2: best val_accuracy so far 0.49 is worse than the median 0.5 of 5 completed trials at epoch 2", below.Reason);
        Assert.False(new MedianPruner().Decide(Running(5, 0.3, 0.5), history, Acc).Prune);
    }

    [Fact]
    public void MedianWarmUpAndInterval()
    {
        var history = FiveCompleted().Select(t => t with { EpochValues = [.. Enumerable.Repeat(0.5, 10)] }).ToList();
        var pruner = new MedianPruner(warmupEpochs: 2, intervalEpochs: 3);
        // Every epoch of this trial is worse than the median 0.5; it is checked at epochs 3, 6, 9 only.
        bool[] pruned = [.. Enumerable.Range(1, 10).Select(e => pruner.Decide(Running(5, [.. Enumerable.Repeat(0.9, e)]), history, Loss).Prune)];
        Assert.Equal([false, false, true, false, false, true, false, false, true, false], pruned);
        Assert.Equal("epoch 2: warm-up, nothing is pruned in the first 2 epochs", pruner.Decide(Running(5, 0.9, 0.9), history, Loss).Reason);
        Assert.Equal("epoch 4: no check (every 3 epochs after the warm-up)", pruner.Decide(Running(5, 0.9, 0.9, 0.9, 0.9), history, Loss).Reason);
    }

    [Fact]
    public void MedianPrunesATrialWithNothingButNaN()
    {
        var d = new MedianPruner().Decide(Running(5, double.NaN, double.NaN), FiveCompleted(), Loss);
        Assert.True(d.Prune);
        Assert.Equal("pruned at epoch 2: val_loss is NaN at every epoch so far", d.Reason);
        Assert.False(new MedianPruner().Decide(Running(5, double.NaN, 0.3), FiveCompleted(), Loss).Prune); // NaN epochs are skipped
        Assert.Equal("no epoch has finished yet", new MedianPruner().Decide(Running(5), FiveCompleted(), Loss).Reason);
    }
}
