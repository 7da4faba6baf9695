using FcnLab.Engine;

namespace FcnLab.Lab.Runs;

/// <summary>The store says another process now holds the trial this one was training.</summary>
public sealed class TrialTakenOverException(string message) : FcnLabException(message);
