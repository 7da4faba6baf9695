namespace FcnLab.Lab.Search;

/// <summary>
/// A pruner's verdict on a trial at the end of an epoch, with the sentence that explains it (kept with the
/// trial in the run store and shown in reports), e.g. "pruned at epoch 4: val_accuracy 0.81 below the
/// rung's top 1/4 (0.86: the best 1 of 3 trials at epoch 4)".
/// </summary>
public sealed record PruneDecision(bool Prune, int Epoch, string Reason)
{
    public static PruneDecision Continue(int epoch, string reason) => new(false, epoch, reason);

    public static PruneDecision Pruned(int epoch, string reason) => new(true, epoch, reason);
}
