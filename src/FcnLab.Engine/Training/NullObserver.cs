namespace FcnLab.Engine.Training;

/// <summary>An observer that ignores all progress (a run without output).</summary>
public sealed class NullObserver : ITrainingObserver
{
    public static readonly NullObserver Instance = new();
}
