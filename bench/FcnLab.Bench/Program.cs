using System.Diagnostics;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using FcnLab.Bench;
using FcnLab.Engine.Benchmarks;
using FcnLab.Engine.Tensors;

// Usage (always -c Release):
//   dotnet run -c Release --project bench/FcnLab.Bench -- peak          FMA-chain peak, 1 thread
//   dotnet run -c Release --project bench/FcnLab.Bench -- kernel        AVX-512 micro-kernel alone, 1 thread
//   dotnet run -c Release --project bench/FcnLab.Bench -- layers [threads] where a training step's time goes, per layer
//   dotnet run -c Release --project bench/FcnLab.Bench -- fusion [threads]  ReLU fusion on vs off, steps alternated
//   dotnet run -c Release --project bench/FcnLab.Bench -- blocking T kc,mc,nc,jobs ...  GEMM block sizes side by side
//   dotnet run -c Release --project bench/FcnLab.Bench -- zerograd [threads]  zero_grad + step vs the zeroing step
//   dotnet run -c Release --project bench/FcnLab.Bench -- scaling       GEMM compute loops alone, 1 thread vs 2 at once
//   dotnet run -c Release --project bench/FcnLab.Bench -- cnn [threads] [arch]  the same for a CNN (default lenet5), batch 128, Adam
//   dotnet run -c Release --project bench/FcnLab.Bench -- pack          packing routines alone, 1 thread
//   dotnet run -c Release --project bench/FcnLab.Bench -- quick [reps]  Stopwatch medians, 1 and 2 threads
//   dotnet run -c Release --project bench/FcnLab.Bench -- [BenchmarkDotNet args, e.g. --filter *]
if (args.Length > 0 && args[0] == "peak")
{
    for (int i = 0; i < 5; i++) Console.WriteLine($"FMA peak, 1 thread: {FmaPeak.Measure(0.5):F1} GFLOP/s");
    return;
}
if (args.Length > 0 && args[0] == "layers")
{
    int threads = args.Length > 1 ? int.Parse(args[1]) : Environment.ProcessorCount;
    LayerProbe.Run([1200, 2000, 800], batchNorm: false, FcnLab.Engine.Optim.OptimizerKind.Sgd, threads);
    LayerProbe.Run([1000, 2000, 1000, 1000], batchNorm: true, FcnLab.Engine.Optim.OptimizerKind.Adam, threads);
    return;
}
if (args.Length > 0 && args[0] == "fusion")
{
    // fusion [threads]: the ReLU fusion on and off, steps alternated (A/B on one machine state)
    int threads = args.Length > 1 ? int.Parse(args[1]) : Environment.ProcessorCount;
    FusionProbe.Run([1200, 2000, 800], batchNorm: false, FcnLab.Engine.Optim.OptimizerKind.Sgd, threads);
    FusionProbe.Run([1000, 2000, 1000, 1000], batchNorm: true, FcnLab.Engine.Optim.OptimizerKind.Adam, threads);
    return;
}
if (args.Length > 0 && args[0] == "blocking")
{
    // blocking THREADS kc,mc,nc,jobs [kc,mc,nc,jobs ...]: block sizes side by side on the default network's products
    int threads = int.Parse(args[1]);
    var variants = args.Skip(2).Select(v => v.Split(',').Select(int.Parse).ToArray()).Select(v => (v[0], v[1], v[2], v[3])).ToArray();
    BlockingProbe.Run(threads, variants);
    return;
}
if (args.Length > 0 && args[0] == "zerograd")
{
    // zerograd [threads]: zero_grad + optimizer step vs the step that zeroes as it goes, alternated
    int threads = args.Length > 1 ? int.Parse(args[1]) : Environment.ProcessorCount;
    foreach (var kind in new[] { FcnLab.Engine.Optim.OptimizerKind.Sgd, FcnLab.Engine.Optim.OptimizerKind.Adam })
    {
        using var pool = new WorkerPool(threads);
        // The default network's parameter count.
        var set = new FcnLab.Engine.Layers.ParameterSet([new FcnLab.Engine.Layers.Parameter("w", FcnLab.Engine.Layers.ParameterKind.Weight, 784 * 1200 + 1200 + 1200 * 2000 + 2000 + 2000 * 800 + 800 + 8010)]);
        var opt = FcnLab.Engine.Optim.Optimizer.Create(new FcnLab.Engine.Optim.OptimizerConfig { Kind = kind, Lr = 1e-4, Momentum = 0.9 }, set, pool);
        var times = new[] { new List<double>(), new List<double>() };
        for (int r = -3; r < 41; r++)
            for (int v = 0; v < 2; v++)
            {
                long t0 = Stopwatch.GetTimestamp();
                if (v == 0) { set.ZeroGrad(pool); opt.Step(); } else opt.Step(zeroGrads: true);
                if (r >= 0) times[v].Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }
        Console.WriteLine($"{kind}, {set.Count} parameters, {threads} thread(s): zero_grad + step {times[0].Order().ElementAt(20):F2} ms, zeroing step {times[1].Order().ElementAt(20):F2} ms (medians of 41, alternated)");
    }
    return;
}
if (args.Length > 0 && args[0] == "scaling")
{
    // scaling: the GEMM's compute loops alone on one thread, then on two at once
    ScalingProbe.Run();
    return;
}
if (args.Length > 0 && args[0] == "cnn")
{
    // cnn [threads] [arch]: where a CNN training step's time goes, batch 128, Adam
    int threads = args.Length > 1 ? int.Parse(args[1]) : Environment.ProcessorCount;
    LayerProbe.Run(args.Length > 2 ? args[2] : "lenet5", FcnLab.Engine.Optim.OptimizerKind.Adam, threads);
    return;
}
if (args.Length > 0 && args[0] == "convgemm")
{
    // The per-sample products of a convolution alone, against the layer: convgemm IN OUT K SIZE [PAD]
    // (thread CPU time, 1 thread, 128 samples)
    int inC = int.Parse(args[1]), outC = int.Parse(args[2]), kernel = int.Parse(args[3]), size = int.Parse(args[4]);
    int pad = args.Length > 5 ? int.Parse(args[5]) : 0;
    int m = outC, k = inC * kernel * kernel, side = size + 2 * pad - kernel + 1, n = side * side;
    using var pool = new WorkerPool(1);
    var gemm = new Gemm(pool);
    var a = FcnLab.Engine.Tensors.Tensor.Zeros(m * k);
    var b = FcnLab.Engine.Tensors.Tensor.Zeros(k * n);
    var c = FcnLab.Engine.Tensors.Tensor.Zeros(m * n);
    var conv = new FcnLab.Engine.Layers.Conv2d(inC, outC, kernel, padding: pad);
    _ = new FcnLab.Engine.Layers.ParameterSet(conv.Parameters);
    var x = FcnLab.Engine.Tensors.Tensor.Zeros(128, inC, size, size);
    var dy = FcnLab.Engine.Tensors.Tensor.Zeros(128, outC, side, side);
    for (int r = 0; r < 5; r++)
    {
        double t0 = ThreadClock.Milliseconds();
        unsafe
        {
            for (int s = 0; s < 128; s++) gemm.Multiply(false, false, m, n, k, a.Pointer, k, b.Pointer, n, c.Pointer, n, accumulate: true);
        }
        double g = ThreadClock.Milliseconds() - t0;
        t0 = ThreadClock.Milliseconds();
        conv.Forward(x, true);
        double f = ThreadClock.Milliseconds() - t0;
        t0 = ThreadClock.Milliseconds();
        conv.Backward(dy);
        double bw = ThreadClock.Milliseconds() - t0;
        Console.WriteLine($"128 forward GEMMs {m}x{n}x{k}: {g:F2} ms ({2.0 * m * n * k * 128 / g / 1e6:F1} GFLOP/s); Conv2d forward {f:F2} ms, backward {bw:F2} ms");
    }
    return;
}
if (args.Length > 0 && args[0] == "pack")
{
    PackProbe.Run();
    return;
}
if (args.Length > 0 && args[0] == "kernel")
{
    foreach (int kc in new[] { 64, 256 })
        for (int i = 0; i < 3; i++) Console.WriteLine($"AVX-512 12x32 kernel alone, kc={kc}: {KernelProbe.Measure(kc, 0.5):F1} GFLOP/s");
    return;
}
if (args.Length > 0 && args[0] == "quick")
{
    int reps = args.Length > 1 ? int.Parse(args[1]) : 15;
    var net = new NetworkProducts(NetworkProducts.DefaultWidths, 512);
    foreach (int threads in new[] { 1, 2 })
    {
        using var pool = new WorkerPool(threads);
        var gemm = new Gemm(pool);
        foreach (var product in Enum.GetValues<Product>())
        {
            var times = new double[reps];
            net.Run(gemm, product);
            net.Run(gemm, product);
            for (int r = 0; r < reps; r++)
            {
                long t0 = Stopwatch.GetTimestamp();
                net.Run(gemm, product);
                times[r] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            }
            Array.Sort(times);
            double median = times[reps / 2];
            Console.WriteLine($"{threads} thread(s) {product,-15} median {median * 1e3,7:F2} ms  {net.Flops(product) / median / 1e9,6:F1} GFLOP/s  (best {net.Flops(product) / times[0] / 1e9:F1})");
        }
    }
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(GemmBenchmarks).Assembly)
    .Run(args, DefaultConfig.Instance.AddColumn(new GflopsColumn()));
