namespace FcnLab.Benchmarks.Store;

/// <summary>What each kind of store call costs one worker, and the two sums that matter: a claim and an epoch report.</summary>
public sealed record StoreLatency(IReadOnlyList<OperationCost> Costs)
{
    /// <summary>The calls of a worker's claim cycle.</summary>
    public static readonly IReadOnlyList<string> ClaimCycle = ["read sweep", "take back abandoned", "claim"];

    /// <summary>One claim: the medians of the claim cycle's calls added up.</summary>
    public double ClaimCycleMs => Costs.Where(c => ClaimCycle.Contains(c.Operation)).Sum(c => c.MedianMs);

    /// <summary>The median of one epoch report.</summary>
    public double EpochReportMs => Costs.Single(c => c.Operation == "epoch report").MedianMs;
}
