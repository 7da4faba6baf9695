namespace FcnLab.Benchmarks.Store;

/// <summary>Trials pushed through the store by <see cref="Clients"/> concurrent clients, each as a worker's calls, with no training between them.</summary>
public sealed record StoreThroughput(int Clients, int Trials, int Transactions, double Seconds)
{
    public double TransactionsPerSecond => Transactions / Seconds;
}
