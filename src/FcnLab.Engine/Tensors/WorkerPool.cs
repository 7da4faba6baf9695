namespace FcnLab.Engine.Tensors;

/// <summary>A unit of parallel work: Execute(i) for every i in [0, count) must write disjoint outputs.</summary>
public interface IParallelJob
{
    void Execute(int index);
}

/// <summary>
/// A persistent pool of worker threads. Run() hands out job indices dynamically; since every index
/// writes its own outputs in a fixed order, results do not depend on which thread ran it, nor on the
/// thread count.
/// <para>
/// Indices are claimed from one 64-bit ticket holding (generation, next index), by compare-and-swap
/// that only succeeds for the generation a worker picked the job up under. So a worker that wakes
/// late (descheduled on a busy machine) can never run an index of a finished job nor steal one of the
/// next job under the old job's identity; Run() returns as soon as every index has completed, without
/// waiting for workers that never showed up. Workers spin briefly between jobs (a training step
/// issues them back to back), then sleep on a monitor.
/// </para>
/// </summary>
public sealed class WorkerPool : IDisposable
{
    private readonly Thread[] _threads;
    private readonly object _gate = new();
    private IParallelJob? _job;
    private int _count;
    private long _ticket; // generation << 32 | next index
    private int _done;
    private uint _generation;
    private volatile bool _disposed;

    public int Threads { get; }

    public WorkerPool(int threads)
    {
        if (threads < 1)
            throw new FcnLabException($"--threads must be at least 1 (got {threads}).");
        Threads = threads;
        _threads = new Thread[threads - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"fcnlab-worker-{i + 1}" };
            _threads[i].Start();
        }
    }

    /// <summary>Runs job.Execute(i) for i in [0, count) on the pool and the calling thread; returns when all are done.</summary>
    public void Run(IParallelJob job, int count)
    {
        if (count <= 0) return;
        if (_threads.Length == 0 || count == 1)
        {
            for (int i = 0; i < count; i++) job.Execute(i);
            return;
        }
        // Every index of the previous job has completed. Close its generation first (a generation
        // of its own with no index left, fully fenced): a late worker that read the previous
        // generation but this job's _count must find the ticket moved on, or it could claim index
        // (previous count) under the previous generation and run it. Then these can be overwritten.
        Interlocked.Exchange(ref _ticket, (long)++_generation << 32 | int.MaxValue);
        _job = job;
        _count = count;
        _done = 0;
        long gen = ++_generation;
        lock (_gate)
        {
            Volatile.Write(ref _ticket, gen << 32); // publishes _job, _count and _done
            Monitor.PulseAll(_gate);
        }
        Work(gen, job, count);
        var spin = new SpinWait();
        while (Volatile.Read(ref _done) < count) spin.SpinOnce(-1);
    }

    /// <summary>Claims and runs indices of generation <paramref name="gen"/> until none are left.</summary>
    private void Work(long gen, IParallelJob job, int count)
    {
        while (true)
        {
            long t = Volatile.Read(ref _ticket);
            if (t >>> 32 != gen) return;
            int i = (int)(t & 0xFFFF_FFFF);
            if (i >= count) return;
            if (Interlocked.CompareExchange(ref _ticket, t + 1, t) != t) continue;
            job.Execute(i);
            Interlocked.Increment(ref _done);
        }
    }

    private void WorkerLoop()
    {
        long seen = 0;
        while (true)
        {
            var spin = new SpinWait();
            for (int s = 0; s < 4000 && Volatile.Read(ref _ticket) >>> 32 == seen && !_disposed; s++) spin.SpinOnce(-1);
            if (Volatile.Read(ref _ticket) >>> 32 == seen)
            {
                lock (_gate)
                {
                    while (Volatile.Read(ref _ticket) >>> 32 == seen && !_disposed) Monitor.Wait(_gate);
                }
            }
            if (_disposed) return;
            // Read the generation first: the job and count read after it belong to it or to a later
            // job, and in the latter case every claim under this generation fails.
            seen = Volatile.Read(ref _ticket) >>> 32;
            var job = Volatile.Read(ref _job);
            int count = Volatile.Read(ref _count);
            if (job != null) Work(seen, job, count);
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        lock (_gate)
        {
            _disposed = true;
            Monitor.PulseAll(_gate);
        }
        foreach (var t in _threads) t.Join();
    }
}
