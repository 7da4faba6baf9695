namespace FcnLab.Lab.Store;

/// <summary>
/// The mean training loss of <see cref="Steps"/> consecutive steps of epoch <see cref="Epoch"/>, the last of
/// them step <see cref="Step"/> (1-based): the per-step losses between two publishes of a run's progress,
/// downsampled to one number.
/// </summary>
public readonly record struct LossWindow(int Epoch, int Step, int Steps, double Loss);
