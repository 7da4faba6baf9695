using System.Globalization;
using System.Text.Json;
using FcnLab.Lab.Search;
using Xunit.Abstractions;

namespace FcnLab.Lab.Tests.Search;

/// <summary>
/// FcnLab's samplers against Optuna 3.1 (Data/optuna-samplers.json, made by Data/optuna_reference.py with
/// 20 study seeds): the best value found after N trials. At every listed trial count above 10 (the first
/// 10 are random in both), FcnLab's TPE median must lie within Optuna TPE's interquartile range and beat
/// Optuna random's median. FcnLab's random sampler, as a check of the harness, must have its median within
/// a loose band around Optuna random's interquartile range, [q25 - IQR/2, q75 + IQR/2], at every listed
/// count: loose because Optuna's 20-seed quartiles are themselves noisy (on Hartmann-6 after 20 trials its
/// random median is -1.01, where the exact median of random search, from 4 million uniform points, is
/// -1.26; FcnLab's over 100 seeds is -1.34).
/// FcnLab's median is taken over 100 study seeds (0..99), not 20: a median of 20 runs is too noisy for the
/// test to say anything about the algorithm. Optuna 3.1 itself, run with other sets of 20 seeds (20-39,
/// 40-59, ...), fails these very criteria against its own reference in 5 of 14 sets, and FcnLab's TPE
/// with seeds 0-19 misses the mixed function's quartile range at 20 and 40 trials by 1%, while over 200
/// seeds its distribution of best values is indistinguishable from Optuna's over 120 (Mann-Whitney |z|
/// below 1 at every count; docs/search.md has the numbers).
/// </summary>
public sealed class OptunaReferenceTests(ITestOutputHelper output)
{
    private const int ReferenceSeeds = 20;
    private const int Seeds = 100;

    private static readonly JsonElement Reference = JsonDocument.Parse(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Search", "Data", "optuna-samplers.json"))).RootElement;

    [Theory]
    [InlineData("branin")]
    [InlineData("hartmann6")]
    [InlineData("mixed")]
    public void TpeMedianBestIsWithinOptunaTpeQuartilesAndBeatsRandom(string name)
    {
        var (function, trials, counts) = Load(name);
        var (medians, medians20) = MedianBest(function, new TpeSampler(), trials, counts);
        var failures = new List<string>();
        output.WriteLine($"{name}: trials | FcnLab TPE median, 100 seeds (20 seeds) | Optuna TPE [q25, median, q75] | Optuna random median");
        foreach (int n in counts)
        {
            var tpe = Stats(name, "tpe", n);
            var random = Stats(name, "random", n);
            output.WriteLine($"{n,4} | {F(medians[n])} ({F(medians20[n])}) | [{F(tpe.Q25)}, {F(tpe.Median)}, {F(tpe.Q75)}] | {F(random.Median)}");
            if (n <= 10) continue;
            if (medians[n] < tpe.Q25 || medians[n] > tpe.Q75)
                failures.Add($"after {n} trials the median best {F(medians[n])} is outside Optuna TPE's [q25, q75] = [{F(tpe.Q25)}, {F(tpe.Q75)}]");
            if (!(medians[n] < random.Median))
                failures.Add($"after {n} trials the median best {F(medians[n])} does not beat Optuna random's median {F(random.Median)}");
        }
        Assert.True(failures.Count == 0, $"{name}: " + string.Join("; ", failures));
    }

    [Theory]
    [InlineData("branin")]
    [InlineData("hartmann6")]
    [InlineData("mixed")]
    public void RandomMedianBestIsNearOptunaRandomQuartiles(string name)
    {
        var (function, trials, counts) = Load(name);
        var (medians, medians20) = MedianBest(function, new RandomSampler(), trials, counts);
        var failures = new List<string>();
        foreach (int n in counts)
        {
            var random = Stats(name, "random", n);
            double half = (random.Q75 - random.Q25) / 2, low = random.Q25 - half, high = random.Q75 + half;
            output.WriteLine($"{name} {n,4} | FcnLab random {F(medians[n])} ({F(medians20[n])}) | Optuna random [{F(random.Q25)}, {F(random.Median)}, {F(random.Q75)}], band [{F(low)}, {F(high)}]");
            if (medians[n] < low || medians[n] > high)
                failures.Add($"after {n} trials the median best {F(medians[n])} is outside [q25 - IQR/2, q75 + IQR/2] = [{F(low)}, {F(high)}] of Optuna random");
        }
        Assert.True(failures.Count == 0, $"{name}: " + string.Join("; ", failures));
    }

    private static (TestFunction Function, int Trials, int[] Counts) Load(string name)
    {
        var f = Reference.GetProperty("functions").GetProperty(name);
        int[] counts = [.. f.GetProperty("tpe").EnumerateObject().Select(p => int.Parse(p.Name, CultureInfo.InvariantCulture)).Order()];
        Assert.Equal(ReferenceSeeds, Reference.GetProperty("seeds").GetInt32());
        return (TestFunction.ByName(name), f.GetProperty("trials").GetInt32(), counts);
    }

    private static (double Median, double Q25, double Q75) Stats(string name, string sampler, int n)
    {
        var s = Reference.GetProperty("functions").GetProperty(name).GetProperty(sampler).GetProperty(n.ToString(CultureInfo.InvariantCulture));
        return (s.GetProperty("median_best").GetDouble(), s.GetProperty("q25").GetDouble(), s.GetProperty("q75").GetDouble());
    }

    /// <summary>Median over seeds 0..99, and over 0..19, of the best value after each listed trial count.</summary>
    private static (Dictionary<int, double> All, Dictionary<int, double> First20) MedianBest(TestFunction function, ISampler sampler, int trials, int[] counts)
    {
        var curves = new double[Seeds][];
        Parallel.For(0, Seeds, seed => curves[seed] = function.BestCurve(sampler, seed, trials)); // each seed its own search
        return (counts.ToDictionary(n => n, n => Median([.. curves.Select(c => c[n - 1])])),
                counts.ToDictionary(n => n, n => Median([.. curves.Take(ReferenceSeeds).Select(c => c[n - 1])])));
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        int m = values.Length / 2;
        return values.Length % 2 == 1 ? values[m] : 0.5 * (values[m - 1] + values[m]);
    }

    private static string F(double v) => v.ToString("G5", CultureInfo.InvariantCulture);
}
