namespace FcnLab.Lab.Search;

/// <summary>
/// The standard normal distribution as the TPE sampler needs it: its cumulative distribution function in
/// linear and log space, the log of the probability mass of an interval (accurate far in the tails, where
/// a discrete parameter's narrow interval lies many standard deviations from a kernel's centre), the
/// inverse CDF, and sampling from a normal truncated to an interval by inverting its CDF.
/// .NET has no erf. erfc is computed as e^(-x^2) erfcx(x): erfcx from a Chebyshev series fitted at start-up
/// to a slow reference built from two classic expansions (Abramowitz and Stegun 7.1.6 and 7.1.14: a series
/// of positive terms near zero, a continued fraction beyond), so log erfc never underflows.
/// </summary>
internal static class Gaussian
{
    private const double SqrtPi = 1.7724538509055160273;
    private static readonly double LogSqrt2Pi = 0.5 * Math.Log(2 * Math.PI);
    private const double Sqrt2 = 1.4142135623730950488;

    /// <summary>log of the standard normal density at z.</summary>
    public static double LogPdf(double z) => -0.5 * z * z - LogSqrt2Pi;

    /// <summary>Phi(z), the standard normal CDF.</summary>
    public static double Cdf(double z) => 0.5 * Erfc(-z / Sqrt2);

    /// <summary>log Phi(z), finite for every finite z (-z^2/2 - ... far in the left tail).</summary>
    public static double LogCdf(double z)
    {
        if (double.IsNegativeInfinity(z)) return double.NegativeInfinity;
        if (double.IsPositiveInfinity(z)) return 0;
        double x = -z / Sqrt2;
        // Right of the mean Phi is near 1 and 1 - Phi(z) = Phi(-z) is small: log(1 - q) keeps the precision.
        if (x < 0) return Math.Log(1 - 0.5 * Erfc(-x));
        return Math.Log(0.5) + LogErfc(x);
    }

    /// <summary>
    /// log(Phi(b) - Phi(a)) for a &lt;= b: computed in whichever tail the interval lies, so that a mass of
    /// 1e-300 or less is still a finite, accurate log.
    /// </summary>
    public static double LogMass(double a, double b)
    {
        if (!(a < b)) return double.NegativeInfinity;
        if (a > 0) return LogMass(-b, -a); // symmetric: work in the left tail, where Phi is small and exact
        if (b <= 0)
        {
            // Both ends in the left tail: log Phi(b) + log(1 - Phi(a)/Phi(b)).
            double logB = LogCdf(b), logA = LogCdf(a);
            return logB + Math.Log(-ExpM1(logA - logB));
        }
        // The interval holds the mean: 1 - (mass left of a) - (mass right of b), both at most one half.
        return Math.Log(1 - Cdf(a) - Cdf(-b));
    }

    /// <summary>The z with Phi(z) = p, for p in (0, 1); -inf at 0 and +inf at 1.</summary>
    public static double InverseCdf(double p)
    {
        if (p <= 0) return double.NegativeInfinity;
        if (p >= 1) return double.PositiveInfinity;
        if (p > 0.5) return -InverseCdf(1 - p); // 1 - p is exact for p in [0.5, 1]
        return Refine(InitialGuess(p), p);
    }

    // Abramowitz and Stegun 26.2.23 (absolute error below 4.5e-4), for p <= 0.5.
    private static double InitialGuess(double p)
    {
        double t = Math.Sqrt(-2 * Math.Log(p));
        double z = t - (2.515517 + t * (0.802853 + t * 0.010328)) / (1 + t * (1.432788 + t * (0.189269 + t * 0.001308)));
        return -z;
    }

    // Three Halley steps on Phi(z) - p = 0 take the 4.5e-4 guess to full double precision (cubic convergence).
    private static double Refine(double z, double p)
    {
        for (int i = 0; i < 3; i++)
        {
            double e = Cdf(z) - p;
            double u = e * Math.Exp(-LogPdf(z)); // e / phi(z)
            if (!double.IsFinite(u)) break;       // p below about 1e-300: phi(z) underflows; the guess stands
            z -= u / (1 + 0.5 * z * u);
        }
        return z;
    }

    /// <summary>
    /// A standard normal truncated to [a, b], sampled by inverting its CDF at the uniform <paramref name="u"/>
    /// in [0, 1): z = Phi^-1(Phi(a) + u (Phi(b) - Phi(a))), computed on the side of the mean where the
    /// probabilities are small so nothing rounds to 1. Clamped to [a, b] against the last rounding.
    /// Meant for intervals that hold a fair share of the mass, as TPE's do (a kernel's range always holds
    /// its centre and spans at least one standard deviation); an interval beyond 37 standard deviations
    /// from the mean, whose mass underflows, would come back as its nearer end.
    /// </summary>
    public static double SampleTruncated(double a, double b, double u)
    {
        if (a >= 0) return -SampleTruncated(-b, -a, 1 - u); // the left tail is the accurate one
        double lowA = Cdf(a), mass = Cdf(b) - lowA;
        double p = lowA + u * mass;
        double z = p <= 0.5
            ? InverseCdf(p)
            : -InverseCdf(Cdf(-b) + (1 - u) * mass); // 1 - p, formed without cancellation
        return Math.Clamp(z, a, b);
    }

    /// <summary>erfc(x) = 1 - erf(x), for any x: e^(-x^2) erfcx(x), with erfcx from its Chebyshev series.</summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x < 0) return 2 - Erfc(-x);
        if (double.IsPositiveInfinity(x)) return 0;
        return Math.Exp(-x * x) * Erfcx(x);
    }

    /// <summary>log erfc(x) for x &gt;= 0, without underflow (erfc(30) is 1e-393, its log -903.8).</summary>
    public static double LogErfc(double x)
    {
        if (double.IsPositiveInfinity(x)) return double.NegativeInfinity;
        return -x * x + Math.Log(Erfcx(x));
    }

    // ---- erfcx(x) = e^(x^2) erfc(x), x >= 0: fast, and the slow reference it is fitted to ----------------

    // erfcx is smooth and slowly varying on [0, inf); in t = (x - K) / (x + K), which maps it onto [-1, 1),
    // a Chebyshev series of 32 terms agrees with the reference to about 3e-14 (relative) up to x = 10, the
    // level of rounding in the sum (GaussianTests holds them to 1e-13). From 10 on the continued fraction
    // needs at most 9 terms.
    private const double ChebyshevScale = 4;
    private const int ChebyshevTerms = 32;
    private const double FractionFrom = 10;
    private static readonly double[] ErfcxChebyshev = FitErfcx();

    internal static double Erfcx(double x)
    {
        if (x >= FractionFrom) return ErfcFraction(x, 1e-15) / SqrtPi;
        double t = (x - ChebyshevScale) / (x + ChebyshevScale);
        // Clenshaw's recurrence for sum' c_k T_k(t) (the first coefficient halved).
        double b1 = 0, b2 = 0;
        for (int k = ChebyshevTerms - 1; k > 0; k--)
            (b1, b2) = (2 * t * b1 - b2 + ErfcxChebyshev[k], b1);
        return t * b1 - b2 + 0.5 * ErfcxChebyshev[0];
    }

    // The coefficients are computed here, once, from the reference at the Chebyshev nodes of [-1, 1]:
    // nothing is copied from a table.
    private static double[] FitErfcx()
    {
        const int n = ChebyshevTerms;
        var f = new double[n];
        for (int j = 0; j < n; j++)
        {
            double t = Math.Cos(Math.PI * (j + 0.5) / n);
            f[j] = ErfcxReference(ChebyshevScale * (1 + t) / (1 - t));
        }
        var c = new double[n];
        for (int k = 0; k < n; k++)
        {
            double sum = 0;
            for (int j = 0; j < n; j++) sum += f[j] * Math.Cos(Math.PI * k * (j + 0.5) / n);
            c[k] = 2.0 / n * sum;
        }
        return c;
    }

    /// <summary>
    /// erfc(x), slow and plainly right: the series below 1 (where erfc &gt; 0.157, so 1 - erf loses nothing)
    /// and the continued fraction from 1 on. The fast <see cref="Erfc"/> is fitted to it and tested against it.
    /// </summary>
    internal static double ErfcReference(double x)
    {
        if (x < 0) return 2 - ErfcReference(-x);
        if (x < 1) return 1 - 2 / SqrtPi * Math.Exp(-x * x) * ErfSeriesSum(x);
        return Math.Exp(-x * x) / SqrtPi * ErfcFraction(x, 2e-16);
    }

    /// <summary>erfcx(x) = e^(x^2) erfc(x) by the reference expansions, without forming e^(x^2) erfc(x) for large x.</summary>
    internal static double ErfcxReference(double x) =>
        x < 1 ? Math.Exp(x * x) - 2 / SqrtPi * ErfSeriesSum(x) : ErfcFraction(x, 2e-16) / SqrtPi;

    // erf(x) = 2/sqrt(pi) e^(-x^2) S(x), S(x) = sum_n 2^n x^(2n+1) / (1 3 5 ... (2n+1))   (A&S 7.1.6):
    // every term is positive, so nothing cancels. Returns S(x).
    private static double ErfSeriesSum(double x)
    {
        double term = x, sum = x, twoX2 = 2 * x * x;
        for (int n = 1; n < 500; n++)
        {
            term *= twoX2 / (2 * n + 1);
            sum += term;
            if (term < 1e-17 * sum) break;
        }
        return sum;
    }

    // erfc(x) = e^(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))   (A&S 7.1.14), for x > 0;
    // this returns the continued fraction's value 1/(x + ...), by the modified Lentz method. It converges
    // fast for large x (7 terms at 20) and slowly near 0 (190 terms at 1).
    private static double ErfcFraction(double x, double tolerance)
    {
        const double Tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (int n = 1; n < 5000; n++)
        {
            double an = 0.5 * n;
            d = x + an * d;
            d = Math.Abs(d) < Tiny ? 1 / Tiny : 1 / d;
            c = x + an / c;
            if (Math.Abs(c) < Tiny) c = Tiny;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < tolerance) break;
        }
        return 1 / f;
    }

    // e^x - 1 accurate for small |x| (.NET's double.ExpM1 is e^x - 1 as written).
    private static double ExpM1(double x)
    {
        if (Math.Abs(x) > 1e-5) return Math.Exp(x) - 1;
        return x + 0.5 * x * x + x * x * x / 6;
    }
}
