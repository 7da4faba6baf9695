using FcnLab.Lab.Search;

namespace FcnLab.Lab.Tests.Search;

/// <summary>
/// The three functions of Data/optuna_reference.py, written again in C# over FcnLab search spaces with
/// the same parameter names and bounds: Branin, Hartmann-6 and a hyper-parameter-like mixed surface.
/// </summary>
internal sealed record TestFunction(string Name, SearchSpace Space, Func<SearchPoint, double> Evaluate)
{
    public static TestFunction ByName(string name) => name switch
    {
        "branin" => Branin,
        "hartmann6" => Hartmann6,
        "mixed" => Mixed,
        _ => throw new ArgumentException(name),
    };

    /// <summary>Branin-Hoo on [-5, 10] x [0, 15]; minimum 0.397887 at three points.</summary>
    public static TestFunction Branin { get; } = new("branin",
        new SearchSpace([SearchParameter.Uniform("x1", -5, 10), SearchParameter.Uniform("x2", 0, 15)]),
        p =>
        {
            double x1 = p["x1"], x2 = p["x2"];
            double a = x2 - 5.1 / (4 * Math.PI * Math.PI) * x1 * x1 + 5 / Math.PI * x1 - 6;
            return a * a + 10 * (1 - 1 / (8 * Math.PI)) * Math.Cos(x1) + 10;
        });

    private static readonly double[,] A = { { 10, 3, 17, 3.5, 1.7, 8 }, { 0.05, 10, 17, 0.1, 8, 14 }, { 3, 3.5, 1.7, 10, 17, 8 }, { 17, 8, 0.05, 10, 0.1, 14 } };
    private static readonly double[,] P = { { 1312, 1696, 5569, 124, 8283, 5886 }, { 2329, 4135, 8307, 3736, 1004, 9991 }, { 2348, 1451, 3522, 2883, 3047, 6650 }, { 4047, 8828, 8732, 5743, 1091, 381 } };
    private static readonly double[] Alpha = [1.0, 1.2, 3.0, 3.2];

    /// <summary>Hartmann-6 on [0, 1]^6; minimum -3.32237.</summary>
    public static TestFunction Hartmann6 { get; } = new("hartmann6",
        new SearchSpace(Enumerable.Range(0, 6).Select(i => SearchParameter.Uniform($"x{i}", 0, 1))),
        p =>
        {
            double sum = 0;
            for (int i = 0; i < 4; i++)
            {
                double inner = 0;
                for (int j = 0; j < 6; j++)
                {
                    double d = p.Values[j] - P[i, j] * 1e-4;
                    inner += A[i, j] * d * d;
                }
                sum += Alpha[i] * Math.Exp(-inner);
            }
            return -sum;
        });

    /// <summary>
    /// A hyper-parameter-like surface: log-scale lr, log-scale whole width, whole depth, a choice, a real;
    /// minimum 0.08 at lr = 0.002, width = 1024, layers = 3, adam, dropout = 0.25.
    /// </summary>
    public static TestFunction Mixed { get; } = new("mixed",
        new SearchSpace([
            SearchParameter.LogUniform("lr", 1e-5, 1.0),
            SearchParameter.IntLog("width", 16, 4096),
            SearchParameter.Int("layers", 1, 5),
            SearchParameter.Choice("optimizer", ["sgd", "rmsprop", "adam"]),
            SearchParameter.Uniform("dropout", 0.0, 0.6),
        ]),
        p =>
        {
            string opt = p.Text("optimizer");
            double bestLr = opt switch { "sgd" => 0.05, "rmsprop" => 0.001, _ => 0.002 };
            double dl = Math.Log10(p["lr"]) - Math.Log10(bestLr);
            double err = 0.08 + 0.02 * dl * dl;
            double w = Math.Log2(p["width"]) - 10, l = p["layers"] - 3, d = p["dropout"] - 0.25;
            err += 0.004 * w * w + 0.006 * l * l + 0.05 * d * d;
            err += opt switch { "sgd" => 0.012, "rmsprop" => 0.006, _ => 0.0 };
            return err;
        });

    /// <summary>Best value so far after each trial of a sequential search of <paramref name="trials"/> trials, minimizing.</summary>
    public double[] BestCurve(ISampler sampler, long seed, int trials)
    {
        var history = new List<SearchTrial>(trials);
        var curve = new double[trials];
        double best = double.PositiveInfinity;
        for (int t = 0; t < trials; t++)
        {
            var point = sampler.Suggest(Space, history, ObjectiveDirection.Minimize, seed, t);
            double value = Evaluate(point);
            history.Add(new SearchTrial { Number = t, State = SearchTrialState.Completed, Point = point, Value = value });
            best = Math.Min(best, value);
            curve[t] = best;
        }
        return curve;
    }
}
