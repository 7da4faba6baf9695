using FcnLab.Engine.Random;

namespace FcnLab.Lab.Search;

/// <summary>
/// Random search (Bergstra and Bengio, JMLR 2012), each parameter drawn independently as Optuna's
/// <c>RandomSampler</c> draws it: uniform in [low, high] (log_uniform: uniform in log space); a whole
/// number uniform in [low - 0.5, high + 0.5] (int_log: in [log(low - 0.5), log(high + 0.5)], then exp),
/// rounded to the nearest (ties to even) and kept within the bounds, so the end values are as likely as
/// the others; a choice uniform over its texts. The history is not looked at.
/// </summary>
public sealed class RandomSampler : ISampler
{
    public SearchPoint Suggest(SearchSpace space, IReadOnlyList<SearchTrial> history, ObjectiveDirection direction, long studySeed, int trialNumber) =>
        Sample(space, SearchRandom.ForTrial(studySeed, trialNumber));

    /// <summary>One random point, drawing the parameters in order from <paramref name="rng"/> (TPE's startup trials use this too).</summary>
    internal static SearchPoint Sample(SearchSpace space, Rng rng)
    {
        var values = new double[space.Count];
        for (int i = 0; i < values.Length; i++) values[i] = Sample(space.Parameters[i], rng);
        return space.CreatePoint(values);
    }

    internal static double Sample(SearchParameter p, Rng rng)
    {
        double lo = p.Low, hi = p.High;
        switch (p.Kind)
        {
            case DistributionKind.Choice:
                return rng.NextInt(p.Choices.Count);
            case DistributionKind.Uniform:
                return Math.Clamp(lo + (hi - lo) * rng.NextDouble(), lo, hi);
            case DistributionKind.LogUniform:
                double logLo = Math.Log(lo), logHi = Math.Log(hi);
                return Math.Clamp(Math.Exp(logLo + (logHi - logLo) * rng.NextDouble()), lo, hi);
            case DistributionKind.Int:
                return RoundWhole(lo - 0.5 + (hi - lo + 1) * rng.NextDouble(), lo, hi);
            default: // IntLog
                double a = Math.Log(lo - 0.5), b = Math.Log(hi + 0.5);
                return Math.Clamp(Math.Round(Math.Exp(a + (b - a) * rng.NextDouble()), MidpointRounding.ToEven), lo, hi);
        }
    }

    /// <summary>lo plus the whole number nearest to x - lo (ties to even, as numpy's round), within [lo, hi]: Optuna's int rounding.</summary>
    internal static double RoundWhole(double x, double lo, double hi) =>
        Math.Clamp(Math.Round(x - lo, MidpointRounding.ToEven) + lo, lo, hi);
}
