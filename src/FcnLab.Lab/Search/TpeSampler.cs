using FcnLab.Engine;
using FcnLab.Engine.Random;

namespace FcnLab.Lab.Search;

/// <summary>
/// The Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio and Kégl, "Algorithms for
/// Hyper-Parameter Optimization", NeurIPS 2011), as Optuna 3.1's <c>TPESampler</c> runs it with its
/// default settings (<see cref="TpeOptions"/>), parameters sampled independently (multivariate off):
/// <list type="number">
/// <item>Until <see cref="TpeOptions.StartupTrials"/> trials are completed or pruned, sample at random
/// (<see cref="RandomSampler"/>, same generator).</item>
/// <item>Rank the finished trials: completed ones by value, then pruned ones by how far they got (more
/// epochs first) and their last value; with the constant liar, running trials last. The best
/// <see cref="Gamma"/>(n) form the "good" set, the rest the "bad" set.</item>
/// <item>For each parameter, fit l(x) to the good trials' values and g(x) to the bad ones'
/// (<see cref="ParzenEstimator"/>), draw <see cref="TpeOptions.EiCandidates"/> candidates from l and keep
/// the one maximizing log l(x) - log g(x), which maximizes expected improvement (the paper's section 4).</item>
/// </list>
/// Deterministic: the random numbers of trial t come from a generator derived from (study seed, t), and
/// nothing else is carried between trials, so the same history gives the same suggestion.
/// </summary>
public sealed class TpeSampler : ISampler
{
    public TpeSampler(TpeOptions? options = null)
    {
        Options = options ?? new TpeOptions();
        Options.Validate();
    }

    public TpeOptions Options { get; }

    /// <summary>How many of n finished trials form the good set: min(ceil(0.1 n), 25) (Optuna's default_gamma).</summary>
    public static int Gamma(int n) => Math.Min((int)Math.Ceiling(0.1 * n), 25);

    /// <summary>
    /// Weights of n observations, oldest first (Optuna's default_weights, after Bergstra et al. 2013): all 1
    /// below 25; otherwise the newest 25 weigh 1 and the older n - 25 ramp linearly from 1/n up to 1.
    /// </summary>
    public static double[] Weights(int n)
    {
        var w = new double[n];
        if (n < 25)
        {
            Array.Fill(w, 1.0);
            return w;
        }
        int ramp = n - 25;
        for (int i = 0; i < ramp; i++)
            w[i] = ramp == 1 ? 1.0 / n : 1.0 / n + (1.0 - 1.0 / n) * i / (ramp - 1);
        for (int i = ramp; i < n; i++) w[i] = 1.0;
        return w;
    }

    public SearchPoint Suggest(SearchSpace space, IReadOnlyList<SearchTrial> history, ObjectiveDirection direction, long studySeed, int trialNumber)
    {
        Rng rng = SearchRandom.ForTrial(studySeed, trialNumber);
        var (good, bad, finished) = Split(space, history, direction, trialNumber);
        if (finished < Options.StartupTrials) return RandomSampler.Sample(space, rng);

        var values = new double[space.Count];
        var goodValues = new double[good.Length];
        var badValues = new double[bad.Length];
        for (int i = 0; i < space.Count; i++)
        {
            for (int k = 0; k < good.Length; k++) goodValues[k] = good[k].Point.Values[i];
            for (int k = 0; k < bad.Length; k++) badValues[k] = bad[k].Point.Values[i];
            values[i] = SuggestOne(space.Parameters[i], goodValues, badValues, rng);
        }
        return space.CreatePoint(values);
    }

    /// <summary>
    /// The good and bad sets (each in trial-number order, as the weights expect) and the number of finished
    /// (completed or pruned) trials: the best <see cref="Gamma"/>(finished) by Optuna's ranking are good.
    /// </summary>
    internal (Observation[] Good, Observation[] Bad, int Finished) Split(SearchSpace space, IReadOnlyList<SearchTrial> history, ObjectiveDirection direction, int trialNumber)
    {
        var observed = Observations(space, history, direction, trialNumber);
        int finished = observed.Count(o => o.Step < double.PositiveInfinity); // running trials do not count
        int nGood = Gamma(finished);
        // OrderBy is stable: equal keys stay in trial-number order (numpy's stable argsort).
        var ranked = observed.OrderBy(o => o.Step).ThenBy(o => o.Score).ToList();
        return ([.. ranked.Take(nGood).OrderBy(o => o.Number)], [.. ranked.Skip(nGood).OrderBy(o => o.Number)], finished);
    }

    private double SuggestOne(SearchParameter p, double[] goodValues, double[] badValues, Rng rng)
    {
        var l = new ParzenEstimator(p, goodValues, Options);
        var g = new ParzenEstimator(p, badValues, Options);
        // Whole numbers and choices repeat among the candidates: score each distinct value once.
        var scores = p.Kind is DistributionKind.Uniform or DistributionKind.LogUniform ? null : new Dictionary<double, double>();
        double best = 0, bestScore = double.NegativeInfinity;
        for (int c = 0; c < Options.EiCandidates; c++)
        {
            double x = l.Sample(rng);
            if (scores is null || !scores.TryGetValue(x, out double score))
            {
                score = l.LogPdf(x) - g.LogPdf(x);
                scores?.Add(x, score);
            }
            // The first candidate of the highest score wins (numpy's argmax).
            if (c == 0 || score > bestScore) (best, bestScore) = (x, score);
        }
        return best;
    }

    /// <summary>
    /// The trials TPE learns from, with Optuna's ranking key (step, score), smaller is better: a completed
    /// trial (-inf, value); a pruned one (-epochs, last value), or (1, 0) if it finished no epoch; a
    /// running one under the constant liar (+inf, +inf), behind everything. Scores are negated when
    /// maximizing. Completed trials without a (non-NaN) value and failed trials are left out.
    /// </summary>
    private List<Observation> Observations(SearchSpace space, IReadOnlyList<SearchTrial> history, ObjectiveDirection direction, int trialNumber)
    {
        double sign = direction == ObjectiveDirection.Minimize ? 1 : -1;
        var list = new List<Observation>(history.Count);
        var numbers = new HashSet<int>();
        foreach (var t in history)
        {
            if (!numbers.Add(t.Number)) throw new FcnLabException($"the search history holds trial {t.Number} twice.");
            if (t.Number == trialNumber) continue; // a trial does not learn from itself (e.g. asked again on resume)
            (double step, double score) key;
            switch (t.State)
            {
                case SearchTrialState.Completed when t.Value is { } v && !double.IsNaN(v):
                    key = (double.NegativeInfinity, sign * v);
                    break;
                case SearchTrialState.Pruned when t.EpochValues.Count > 0:
                    double last = t.EpochValues[^1];
                    key = (-t.EpochValues.Count, double.IsNaN(last) ? double.PositiveInfinity : sign * last);
                    break;
                case SearchTrialState.Pruned:
                    key = (1, 0);
                    break;
                case SearchTrialState.Running when Options.ConstantLiar:
                    key = (double.PositiveInfinity, double.PositiveInfinity);
                    break;
                default:
                    continue;
            }
            var point = t.Point ?? throw new FcnLabException($"search trial {t.Number} has no point: the sampler needs every trial's parameters.");
            if (!space.Equals(point.Space))
                throw new FcnLabException($"search trial {t.Number}'s point ({point}) is not of this search space ({space}); a search cannot change its space once trials have run.");
            list.Add(new Observation(t.Number, point, key.step, key.score));
        }
        list.Sort((a, b) => a.Number.CompareTo(b.Number));
        return list;
    }

    internal sealed record Observation(int Number, SearchPoint Point, double Step, double Score);
}
