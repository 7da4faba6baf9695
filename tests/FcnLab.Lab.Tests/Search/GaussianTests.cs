using FcnLab.Engine.Random;
using FcnLab.Lab.Search;

namespace FcnLab.Lab.Tests.Search;

/// <summary>The normal-distribution numerics under TPE, against values from Python's math.erfc and statistics.NormalDist.</summary>
public class GaussianTests
{
    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.1, 0.8875370839817152)]
    [InlineData(0.5, 0.4795001221869535)]
    [InlineData(1.0, 0.15729920705028513)]
    [InlineData(2.0, 0.004677734981047265)]
    [InlineData(2.4999, 0.0004071699003334514)]
    [InlineData(2.5, 0.0004069520174449589)]
    [InlineData(3.0, 2.2090496998585438e-05)]
    [InlineData(5.0, 1.5374597944280351e-12)]
    [InlineData(10.0, 2.088487583762545e-45)]
    [InlineData(26.0, 5.663192408856143e-296)]
    public void ErfcMatchesPython(double x, double expected)
    {
        Assert.Equal(expected, Gaussian.Erfc(x), expected * 1e-13);
        Assert.Equal(expected, Gaussian.ErfcReference(x), expected * 1e-13);
        Assert.Equal(2 - expected, Gaussian.Erfc(-x), 5e-15);
        Assert.Equal(Math.Log(expected), Gaussian.LogErfc(x), 1e-11);
    }

    [Fact]
    public void FastErfcAgreesWithTheSlowReferenceEverywhere()
    {
        var rng = new Rng(11);
        for (int i = 0; i < 20000; i++)
        {
            // Dense near 0, near 1 (where the reference's series and fraction meet) and near 10 (where the
            // fast version's series hands over to the fraction).
            double x = i % 4 == 0 ? rng.NextDouble() * 60 - 30 : i % 4 == 1 ? rng.NextDouble() * 3 : 9 + 2 * rng.NextDouble();
            double fast = Gaussian.Erfc(x), slow = Gaussian.ErfcReference(x);
            Assert.True(Math.Abs(fast - slow) <= 1e-13 * slow, $"erfc({x:R}): fast {fast:R}, reference {slow:R}");
        }
        foreach (double x in new[] { 0.0, 1e-300, 0.999999, 1.0, 4.0, 9.999, 10.0, 1e4, 1e150 })
        {
            double slowX = Gaussian.ErfcxReference(x);
            Assert.True(Math.Abs(Gaussian.Erfcx(x) - slowX) <= 1e-13 * slowX, $"erfcx({x:R})");
            Assert.Equal(-x * x + Math.Log(slowX), Gaussian.LogErfc(x), 1e-13 * Math.Max(1, x * x));
        }
    }

    [Fact]
    public void LogCdfStaysFiniteAndAccurateFarInTheTail()
    {
        Assert.Equal(-804.6084420137538, Gaussian.LogCdf(-40), 1e-9); // Phi(-40) underflows; its log does not
        Assert.Equal(-53.23128515051246, Gaussian.LogCdf(-10), 1e-10);
        Assert.Equal(Math.Log(0.0013498980316301035), Gaussian.LogCdf(-3), 1e-13);
        Assert.Equal(Math.Log(0.6179114221889526), Gaussian.LogCdf(0.3), 1e-15);
        Assert.Equal(Math.Log(0.9999997133484282), Gaussian.LogCdf(5), 1e-15);
    }

    [Theory]
    [InlineData(1e-12, -7.034483825301132)]
    [InlineData(0.001, -3.090232306167813)]
    [InlineData(0.3, -0.5244005127080407)]
    [InlineData(0.5, 0.0)]
    [InlineData(0.975, 1.9599639845400536)]
    public void InverseCdfMatchesPython(double p, double expected)
    {
        Assert.Equal(expected, Gaussian.InverseCdf(p), 1e-12);
    }

    [Fact]
    public void LogMassAgreesWithCdfDifferencesAndSymmetry()
    {
        Assert.Equal(Math.Log(Gaussian.Cdf(1.5) - Gaussian.Cdf(-0.5)), Gaussian.LogMass(-0.5, 1.5), 1e-14);
        Assert.Equal(Math.Log(Gaussian.Cdf(-2) - Gaussian.Cdf(-3)), Gaussian.LogMass(-3, -2), 1e-13);
        Assert.Equal(Gaussian.LogMass(-3, -2), Gaussian.LogMass(2, 3), 1e-14);
        // Far out: [40, 41] has mass about 3.7e-350 (below the smallest double); its log is still right.
        double expected = Gaussian.LogCdf(-40) + Math.Log(1 - Math.Exp(Gaussian.LogCdf(-41) - Gaussian.LogCdf(-40)));
        Assert.Equal(expected, Gaussian.LogMass(40, 41), 1e-9);
        Assert.True(double.IsFinite(Gaussian.LogMass(40, 41)));
        Assert.Equal(double.NegativeInfinity, Gaussian.LogMass(1, 1));
        Assert.Equal(0, Gaussian.LogMass(double.NegativeInfinity, double.PositiveInfinity), 1e-15);
    }

    [Theory]
    [InlineData(-0.5, 0.5)]
    [InlineData(-3, 0.1)]
    [InlineData(0, 80)]
    [InlineData(-100, 0)]
    [InlineData(1.5, 4)]
    public void TruncatedSamplesStayInsideAndHaveTheRightMean(double a, double b)
    {
        var rng = new Rng(7);
        double sum = 0;
        const int n = 20000;
        for (int i = 0; i < n; i++)
        {
            double z = Gaussian.SampleTruncated(a, b, rng.NextDouble());
            Assert.InRange(z, a, b);
            sum += z;
        }
        // Mean of the truncated normal: (phi(a) - phi(b)) / (Phi(b) - Phi(a)).
        double mean = (Math.Exp(Gaussian.LogPdf(a)) - Math.Exp(Gaussian.LogPdf(b))) / Math.Exp(Gaussian.LogMass(a, b));
        Assert.Equal(mean, sum / n, 0.02);
    }
}
