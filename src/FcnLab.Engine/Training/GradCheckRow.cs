namespace FcnLab.Engine.Training;

/// <summary>One checked parameter element: backprop's gradient against (E(w+eps) - E(w-eps)) / 2eps.</summary>
public sealed record GradCheckRow(string Description, double Analytic, double Approximate, bool Kink, bool Agrees)
{
    public double Difference => Math.Abs(Analytic - Approximate);
}
