namespace FcnLab.Lab.Store;

/// <summary>One point of a run's live loss curve as stored: a <see cref="LossWindow"/> and when the store received it.</summary>
public sealed record LossPoint(int Epoch, int Step, int Steps, double Loss, DateTime At);
