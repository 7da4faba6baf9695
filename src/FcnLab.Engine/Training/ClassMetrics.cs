namespace FcnLab.Engine.Training;

/// <summary>One class's precision, recall, F1 and support (its true examples), from <see cref="EvalResult.PerClass"/>.</summary>
public sealed record ClassMetrics(int Class, double Precision, double Recall, double F1, long Support);
