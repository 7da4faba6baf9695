using FcnLab.Engine;
using FcnLab.Engine.Random;
using FcnLab.Lab.Search;

namespace FcnLab.Lab.Tests.Search;

public class SamplerTests
{
    private static readonly SearchSpace Mixed = TestFunction.Mixed.Space;

    [Fact]
    public void RandomValuesCoverTheirRangesEvenly()
    {
        var space = new SearchSpace([
            SearchParameter.Int("layers", 1, 4),
            SearchParameter.IntLog("width", 64, 4096),
            SearchParameter.LogUniform("lr", 1e-5, 1e-1),
            SearchParameter.Uniform("dropout", 0, 0.5),
            SearchParameter.Choice("optimizer", ["sgd", "rmsprop", "adam"]),
        ]);
        var rng = new Rng(5);
        const int n = 12000;
        var layers = new int[5];
        var choices = new int[3];
        int widthBelow512 = 0, lrBelow1e3 = 0, dropoutBelow01 = 0;
        for (int i = 0; i < n; i++)
        {
            var p = RandomSampler.Sample(space, rng);
            layers[(int)p["layers"]]++;
            choices[(int)p["optimizer"]]++;
            Assert.InRange(p["width"], 64, 4096);
            Assert.Equal(Math.Round(p["width"]), p["width"]);
            if (p["width"] < 512) widthBelow512++;
            if (p["lr"] < 1e-3) lrBelow1e3++;
            if (p["dropout"] < 0.1) dropoutBelow01++;
            Assert.InRange(p["lr"], 1e-5, 1e-1);
            Assert.InRange(p["dropout"], 0, 0.5);
        }
        Assert.Equal(0, layers[0]);
        for (int v = 1; v <= 4; v++) Assert.InRange(layers[v], n / 4 * 0.9, n / 4 * 1.1); // the ends as likely as the middle
        Assert.All(choices, c => Assert.InRange(c, n / 3 * 0.9, n / 3 * 1.1));
        // Log scales: 64..512 is half of 64..4096 in log (widened by 0.5 at the ends: 0.4996), 1e-5..1e-3 half of 1e-5..1e-1.
        Assert.InRange(widthBelow512 / (double)n, 0.47, 0.53);
        Assert.InRange(lrBelow1e3 / (double)n, 0.47, 0.53);
        Assert.InRange(dropoutBelow01 / (double)n, 0.18, 0.22);
    }

    [Fact]
    public void SameHistorySeedAndTrialGiveTheSameSuggestion()
    {
        var history = Study(new TpeSampler(), TestFunction.Mixed, seed: 4, trials: 30);
        foreach (ISampler sampler in new ISampler[] { new TpeSampler(), new RandomSampler() })
        {
            var a = sampler.Suggest(Mixed, history, ObjectiveDirection.Minimize, 4, 30);
            var b = sampler.Suggest(Mixed, [.. history.AsEnumerable().Reverse()], ObjectiveDirection.Minimize, 4, 30); // order of the history does not matter
            Assert.Equal(a, b);
            Assert.NotEqual(a, sampler.Suggest(Mixed, history, ObjectiveDirection.Minimize, 5, 30));
            Assert.NotEqual(a, sampler.Suggest(Mixed, history, ObjectiveDirection.Minimize, 4, 31));
        }
    }

    [Fact]
    public void AResumedSearchSuggestsWhatAnUninterruptedOneWould()
    {
        var whole = Study(new TpeSampler(), TestFunction.Mixed, seed: 9, trials: 40);

        // Stop after 23 trials; keep only what the run store keeps (texts and values); start again with the
        // space built anew (as the spec is parsed again) and go on from the stored trials.
        var stored = whole.Take(23).Select(t => (t.Number, Texts: t.Point!.ToParameters(), t.Value)).ToList();
        var space = new SearchSpace([
            SearchParameter.LogUniform("lr", 1e-5, 1.0),
            SearchParameter.IntLog("width", 16, 4096),
            SearchParameter.Int("layers", 1, 5),
            SearchParameter.Choice("optimizer", ["sgd", "rmsprop", "adam"]),
            SearchParameter.Uniform("dropout", 0.0, 0.6),
        ]);
        var history = stored.Select(s => new SearchTrial { Number = s.Number, State = SearchTrialState.Completed, Point = space.ParsePoint(s.Texts), Value = s.Value }).ToList();
        for (int t = 23; t < 40; t++)
        {
            var point = new TpeSampler().Suggest(space, history, ObjectiveDirection.Minimize, 9, t);
            Assert.Equal(whole[t].Point, point);
            history.Add(new SearchTrial { Number = t, State = SearchTrialState.Completed, Point = point, Value = TestFunction.Mixed.Evaluate(point) });
        }
    }

    [Fact]
    public void TpeStartsAsRandomSearch()
    {
        var tpe = Study(new TpeSampler(), TestFunction.Branin, seed: 2, trials: 12);
        var random = Study(new RandomSampler(), TestFunction.Branin, seed: 2, trials: 12);
        Assert.Equal(random.Take(10).Select(t => t.Point), tpe.Take(10).Select(t => t.Point));
        Assert.NotEqual(random[10].Point, tpe[10].Point);
    }

    [Fact]
    public void MaximizingMinusTheObjectiveIsMinimizingIt()
    {
        var min = Study(new TpeSampler(), TestFunction.Mixed, seed: 3, trials: 25);
        var history = new List<SearchTrial>();
        for (int t = 0; t < 25; t++)
        {
            var point = new TpeSampler().Suggest(Mixed, history, ObjectiveDirection.Maximize, 3, t);
            Assert.Equal(min[t].Point, point);
            history.Add(new SearchTrial { Number = t, State = SearchTrialState.Completed, Point = point, Value = -TestFunction.Mixed.Evaluate(point) });
        }
    }

    [Fact]
    public void GammaAndWeightsAreOptunasDefaults()
    {
        Assert.Equal([0, 1, 1, 2, 3, 10, 25, 25], new[] { 0, 1, 10, 11, 21, 100, 250, 1000 }.Select(TpeSampler.Gamma));
        Assert.Equal(Enumerable.Repeat(1.0, 24), TpeSampler.Weights(24));
        Assert.Equal(Enumerable.Repeat(1.0, 25), TpeSampler.Weights(25));
        Assert.Equal([1.0 / 26], TpeSampler.Weights(26).Take(1));
        // numpy.linspace(1/30, 1, 5) then 25 ones.
        var w = TpeSampler.Weights(30);
        Assert.Equal(30, w.Length);
        double[] ramp = [1.0 / 30, 0.275, 31.0 / 60, 0.7583333333333333, 1.0];
        for (int i = 0; i < 5; i++) Assert.Equal(ramp[i], w[i], 1e-15);
        Assert.All(w.Skip(5), x => Assert.Equal(1.0, x));
    }

    [Fact]
    public void TrialsAreRankedAsOptunaRanksThem()
    {
        var space = new SearchSpace([SearchParameter.Uniform("x", 0, 1)]);
        SearchTrial T(int number, SearchTrialState state, double? value = null, double[]? epochs = null) =>
            new() { Number = number, State = state, Point = space.CreatePoint([number / 100.0]), Value = value, EpochValues = epochs ?? [] };
        var history = new List<SearchTrial>
        {
            T(0, SearchTrialState.Completed, 0.5),
            T(1, SearchTrialState.Pruned, epochs: [0.1, 0.05]),      // pruned: behind every completed trial, however good
            T(2, SearchTrialState.Completed, 0.9),
            T(3, SearchTrialState.Pruned, epochs: [0.3, 0.2, 0.6]),  // more epochs: ahead of trial 1
            T(4, SearchTrialState.Failed),
            T(5, SearchTrialState.Completed, double.NaN),            // Optuna fails a NaN trial
            T(6, SearchTrialState.Running),
            T(7, SearchTrialState.Completed, 0.5),                   // ties keep trial-number order
            T(8, SearchTrialState.Pruned),                           // no epoch: (1, 0), last of the finished
        };
        for (int i = 9; i < 20; i++) history.Add(T(i, SearchTrialState.Completed, 1 + i));

        var split = new TpeSampler().Split(space, history, ObjectiveDirection.Minimize, 20);
        Assert.Equal(17, split.Finished); // 14 completed with a value and 3 pruned; not the NaN, failed or running ones
        Assert.Equal([0, 7], split.Good.Select(o => o.Number)); // gamma(17) = 2: the two 0.5s
        Assert.Equal([1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19], split.Bad.Select(o => o.Number));

        // Maximizing: the largest completed values are best; pruned ones are still behind them.
        var max = new TpeSampler().Split(space, history, ObjectiveDirection.Maximize, 20);
        Assert.Equal([18, 19], max.Good.Select(o => o.Number));

        // The constant liar adds running trials, behind everything, and does not count them as finished.
        var liar = new TpeSampler(new TpeOptions { ConstantLiar = true }).Split(space, history, ObjectiveDirection.Minimize, 20);
        Assert.Equal(17, liar.Finished);
        Assert.Equal([0, 7], liar.Good.Select(o => o.Number));
        Assert.Contains(6, liar.Bad.Select(o => o.Number));
        Assert.DoesNotContain(6, split.Bad.Select(o => o.Number));
    }

    [Fact]
    public void ConstantLiarSteersWorkersAwayFromRunningTrials()
    {
        // One parameter, best at 0.3; 20 trials done. Then three workers ask, one after another, while the
        // earlier ones still train: their trials are running, at the points TPE suggested to them.
        var space = new SearchSpace([SearchParameter.Uniform("x", 0, 1)]);
        var liar = new TpeSampler(new TpeOptions { ConstantLiar = true });
        var history = new List<SearchTrial>();
        for (int t = 0; t < 20; t++)
        {
            var p = new TpeSampler().Suggest(space, history, ObjectiveDirection.Minimize, 1, t);
            history.Add(new SearchTrial { Number = t, State = SearchTrialState.Completed, Point = p, Value = Math.Abs(p["x"] - 0.3) });
        }
        var running = new List<double>();
        for (int t = 20; t < 23; t++)
        {
            var p = liar.Suggest(space, history, ObjectiveDirection.Minimize, 1, t);
            history.Add(new SearchTrial { Number = t, State = SearchTrialState.Running, Point = p });
            running.Add(p["x"]);
        }

        // The next 100 asks: how often do they land within 0.01 of a point being trained?
        double Near(TpeSampler sampler) => Enumerable.Range(23, 100)
            .Count(t => running.Any(r => Math.Abs(sampler.Suggest(space, history, ObjectiveDirection.Minimize, 1, t)["x"] - r) < 0.01)) / 100.0;
        double plain = Near(new TpeSampler()), lied = Near(liar);
        Assert.True(plain > 0.3 && lied < 0.1, $"suggestions within 0.01 of a running trial: {plain:P0} without the constant liar, {lied:P0} with it");

        // Without the liar, running trials are not looked at at all.
        var withoutRunning = history.Where(t => t.State != SearchTrialState.Running).ToList();
        Assert.Equal(new TpeSampler().Suggest(space, withoutRunning, ObjectiveDirection.Minimize, 1, 23),
                     new TpeSampler().Suggest(space, history, ObjectiveDirection.Minimize, 1, 23));
    }

    [Fact]
    public void BadHistoriesAreRefused()
    {
        var space = new SearchSpace([SearchParameter.Uniform("x", 0, 1)]);
        var other = new SearchSpace([SearchParameter.Uniform("y", 0, 1)]);
        var twice = new List<SearchTrial>
        {
            new() { Number = 0, State = SearchTrialState.Completed, Point = space.CreatePoint([0.1]), Value = 1 },
            new() { Number = 0, State = SearchTrialState.Completed, Point = space.CreatePoint([0.2]), Value = 2 },
        };
        Assert.Contains("holds trial 0 twice", Assert.Throws<FcnLabException>(() => new TpeSampler().Suggest(space, twice, ObjectiveDirection.Minimize, 1, 2)).Message);
        var foreign = new List<SearchTrial> { new() { Number = 0, State = SearchTrialState.Completed, Point = other.CreatePoint([0.1]), Value = 1 } };
        Assert.Contains("is not of this search space", Assert.Throws<FcnLabException>(() => new TpeSampler().Suggest(space, foreign, ObjectiveDirection.Minimize, 1, 1)).Message);
        var pointless = new List<SearchTrial> { new() { Number = 0, State = SearchTrialState.Completed, Value = 1 } };
        Assert.Contains("has no point", Assert.Throws<FcnLabException>(() => new TpeSampler().Suggest(space, pointless, ObjectiveDirection.Minimize, 1, 1)).Message);
        Assert.Throws<FcnLabException>(() => new TpeSampler(new TpeOptions { EiCandidates = 0 }));
    }

    [Fact]
    public void KernelWidthsFollowTheNeighbourRule()
    {
        // Observations 4 and 6 in [0, 10], no prior: each kernel's larger neighbour distance is 4 (to an end);
        // without consider_endpoints the outer kernels take the inner distance, 2; magic clip raises it to
        // 10 / min(100, 2 + 1).
        var p = SearchParameter.Uniform("x", 0, 10);
        var noPrior = new TpeOptions { ConsiderPrior = false };
        Assert.Equal([10.0 / 3, 10.0 / 3], new ParzenEstimator(p, [4, 6], noPrior).Sigmas);
        Assert.Equal([4.0, 4.0], new ParzenEstimator(p, [4, 6], noPrior with { ConsiderEndpoints = true }).Sigmas);
        Assert.Equal([2.0, 2.0], new ParzenEstimator(p, [4, 6], noPrior with { ConsiderMagicClip = false }).Sigmas);

        // With the prior (centre 5, width 10): sorted centres 2, 3, 5, 9 -> widths 1 (inner only), 2, 4, 4;
        // magic clip 10 / min(100, 4 + 1) = 2 raises 1 to 2; the prior's width is the range.
        var e = new ParzenEstimator(p, [2, 3, 9], new TpeOptions());
        Assert.Equal([2.0, 3, 9, 5], e.Mus);
        Assert.Equal([2.0, 2, 4, 10], e.Sigmas);

        // int widens the range by 0.5 at each end; int_log and log_uniform work in log space.
        Assert.Equal(3.0, new ParzenEstimator(SearchParameter.Int("n", 1, 5), [2], new TpeOptions()).Mus[1]); // prior centre of [0.5, 5.5]
        Assert.Equal(5.0, new ParzenEstimator(SearchParameter.Int("n", 1, 5), [2], new TpeOptions()).Sigmas[1]); // prior width 5.5 - 0.5
        var log = new ParzenEstimator(SearchParameter.IntLog("w", 16, 4096), [1024], new TpeOptions());
        Assert.Equal(Math.Log(1024), log.Mus[0], 1e-15);
        Assert.Equal(0.5 * (Math.Log(15.5) + Math.Log(4096.5)), log.Mus[1], 1e-15);
    }

    [Fact]
    public void DiscreteDensitiesAreProbabilities()
    {
        // int: each kernel's mass of [k - 0.5, k + 0.5] over k = low..high covers its truncated range once.
        var layers = new ParzenEstimator(SearchParameter.Int("layers", 1, 5), [1, 3, 3, 5], new TpeOptions());
        Assert.Equal(1.0, Enumerable.Range(1, 5).Sum(k => Math.Exp(layers.LogPdf(k))), 1e-12);

        // choice: observations 0, 0, 2 of 3 choices, prior weight 1: each observation puts 1 on its choice and
        // 1/4 on every choice (rows normalized by 1.75); the prior is uniform; the four kernels weigh 1/4 each.
        var opt = new ParzenEstimator(SearchParameter.Choice("optimizer", ["sgd", "rmsprop", "adam"]), [0, 0, 2], new TpeOptions());
        Assert.Equal(0.25 * 2.75 / 1.75 + 0.25 / 3, Math.Exp(opt.LogPdf(0)), 1e-15);
        Assert.Equal(0.25 * 0.75 / 1.75 + 0.25 / 3, Math.Exp(opt.LogPdf(1)), 1e-15);
        Assert.Equal(0.25 * 1.75 / 1.75 + 0.25 / 3, Math.Exp(opt.LogPdf(2)), 1e-15);
    }

    private static List<SearchTrial> Study(ISampler sampler, TestFunction f, long seed, int trials)
    {
        var history = new List<SearchTrial>();
        for (int t = 0; t < trials; t++)
        {
            var point = sampler.Suggest(f.Space, history, ObjectiveDirection.Minimize, seed, t);
            history.Add(new SearchTrial { Number = t, State = SearchTrialState.Completed, Point = point, Value = f.Evaluate(point) });
        }
        return history;
    }
}
