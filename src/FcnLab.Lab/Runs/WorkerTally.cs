namespace FcnLab.Lab.Runs;

/// <summary>What one worker did: the trials it trained, by how each ended.</summary>
public sealed record WorkerTally(int Ran, int Completed, int EarlyStopped, int Diverged, int Failed, int TakenOver, int Pruned = 0);
