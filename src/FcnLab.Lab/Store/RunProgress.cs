namespace FcnLab.Lab.Store;

/// <summary>
/// A run's progress as the store holds it: the latest position and when it was published (the store's
/// clock), and the points of the loss curve read, in step order.
/// </summary>
public sealed record RunProgress(ProgressPosition Position, DateTime UpdatedAt, IReadOnlyList<LossPoint> Losses);
