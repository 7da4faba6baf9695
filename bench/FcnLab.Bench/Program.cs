using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using FcnLab.Bench;
using FcnLab.Benchmarks.Compute;
using FcnLab.Benchmarks.Probes;
using FcnLab.Engine.Optim;

// The measurements live in src/FcnLab.Benchmarks; this program only picks one from the command line.
// Usage (always -c Release):
//   dotnet run -c Release --project bench/FcnLab.Bench -- peak          FMA-chain peak, 1 thread
//   dotnet run -c Release --project bench/FcnLab.Bench -- kernel        AVX-512 micro-kernel alone, 1 thread
//   dotnet run -c Release --project bench/FcnLab.Bench -- layers [threads] where a training step's time goes, per layer
//   dotnet run -c Release --project bench/FcnLab.Bench -- fusion [threads]  ReLU fusion on vs off, steps alternated
//   dotnet run -c Release --project bench/FcnLab.Bench -- blocking T kc,mc,nc,jobs ...  GEMM block sizes side by side
//   dotnet run -c Release --project bench/FcnLab.Bench -- zerograd [threads]  zero_grad + step vs the zeroing step
//   dotnet run -c Release --project bench/FcnLab.Bench -- scaling       GEMM compute loops alone, 1 thread vs 2 at once
//   dotnet run -c Release --project bench/FcnLab.Bench -- cnn [threads] [arch]  the same for a CNN (default lenet5), batch 128, Adam
//   dotnet run -c Release --project bench/FcnLab.Bench -- convgemm IN OUT K SIZE [PAD]  a convolution's per-sample GEMMs vs the layer
//   dotnet run -c Release --project bench/FcnLab.Bench -- pack          packing routines alone, 1 thread
//   dotnet run -c Release --project bench/FcnLab.Bench -- quick [reps]  Stopwatch medians, 1 and 2 threads
//   dotnet run -c Release --project bench/FcnLab.Bench -- [BenchmarkDotNet args, e.g. --filter *]
var output = Console.Out;
int Arg(int index, int otherwise) => args.Length > index ? int.Parse(args[index]) : otherwise;
switch (args.Length > 0 ? args[0] : "")
{
    case "peak":
        for (int i = 0; i < 5; i++) output.WriteLine($"FMA peak, 1 thread: {FmaPeak.Measure(0.5):F1} GFLOP/s");
        return;
    case "kernel":
        KernelProbe.Run(output);
        return;
    case "layers":
        LayerProbe.Run(output, [1200, 2000, 800], batchNorm: false, OptimizerKind.Sgd, Arg(1, Environment.ProcessorCount));
        LayerProbe.Run(output, [1000, 2000, 1000, 1000], batchNorm: true, OptimizerKind.Adam, Arg(1, Environment.ProcessorCount));
        return;
    case "fusion":
        FusionProbe.Run(output, [1200, 2000, 800], batchNorm: false, OptimizerKind.Sgd, Arg(1, Environment.ProcessorCount));
        FusionProbe.Run(output, [1000, 2000, 1000, 1000], batchNorm: true, OptimizerKind.Adam, Arg(1, Environment.ProcessorCount));
        return;
    case "blocking":
        var variants = args.Skip(2).Select(v => v.Split(',').Select(int.Parse).ToArray()).Select(v => (v[0], v[1], v[2], v[3])).ToArray();
        BlockingProbe.Run(output, int.Parse(args[1]), variants);
        return;
    case "zerograd":
        ZeroGradProbe.Run(output, Arg(1, Environment.ProcessorCount));
        return;
    case "scaling":
        ScalingProbe.Run(output);
        return;
    case "cnn":
        LayerProbe.Run(output, args.Length > 2 ? args[2] : "lenet5", OptimizerKind.Adam, Arg(1, Environment.ProcessorCount));
        return;
    case "convgemm":
        ConvGemmProbe.Run(output, int.Parse(args[1]), int.Parse(args[2]), int.Parse(args[3]), int.Parse(args[4]), Arg(5, 0));
        return;
    case "pack":
        PackProbe.Run(output);
        return;
    case "quick":
        NetworkProductsProbe.Run(output, Arg(1, 15));
        return;
    default:
        // The generated project builds the Engine, Lab and Benchmarks too: more than BenchmarkDotNet's
        // default two minutes on a busy two-core machine.
        BenchmarkSwitcher.FromAssembly(typeof(GemmBenchmarks).Assembly)
            .Run(args, DefaultConfig.Instance.AddColumn(new GflopsColumn()).WithBuildTimeout(TimeSpan.FromMinutes(10)));
        return;
}
