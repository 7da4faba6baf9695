namespace FcnLab.Engine.Tensors;

/// <summary>A unit of parallel work: Execute(i) for every i in [0, count) must write disjoint outputs.</summary>
public interface IParallelJob
{
    void Execute(int index);
}

/// <summary>
/// A persistent pool of worker threads. Run() hands out job indices dynamically; since every index
/// writes its own outputs in a fixed order, results do not depend on which thread ran it, nor on the
/// thread count. Run() returns only after every worker has acknowledged the job, so no worker can
/// lag into the next one. Workers spin briefly between jobs (a training step issues them back to
/// back), then sleep on a monitor.
/// </summary>
public sealed class WorkerPool : IDisposable
{
    private readonly Thread[] _threads;
    private readonly object _gate = new();
    private IParallelJob? _job;
    private int _count;
    private int _next;
    private int _acks;
    private long _generation;
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
        _job = job;
        _count = count;
        _next = 0;
        _acks = 0;
        lock (_gate)
        {
            Interlocked.Increment(ref _generation);
            Monitor.PulseAll(_gate);
        }
        Work(job, count);
        var spin = new SpinWait();
        while (Volatile.Read(ref _acks) < _threads.Length) spin.SpinOnce(-1);
        _job = null;
    }

    private void Work(IParallelJob job, int count)
    {
        int i;
        while ((i = Interlocked.Increment(ref _next) - 1) < count) job.Execute(i);
    }

    private void WorkerLoop()
    {
        long seen = 0;
        while (true)
        {
            var spin = new SpinWait();
            for (int s = 0; s < 4000 && Volatile.Read(ref _generation) == seen && !_disposed; s++) spin.SpinOnce(-1);
            if (Volatile.Read(ref _generation) == seen)
            {
                lock (_gate)
                {
                    while (Volatile.Read(ref _generation) == seen && !_disposed) Monitor.Wait(_gate);
                }
            }
            if (_disposed) return;
            seen = Volatile.Read(ref _generation);
            Work(_job!, _count);
            Interlocked.Increment(ref _acks);
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
