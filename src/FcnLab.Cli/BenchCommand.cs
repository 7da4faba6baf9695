using System.CommandLine;
using System.Globalization;
using System.Runtime.Intrinsics.X86;
using System.Text.Json;
using FcnLab.Engine;
using FcnLab.Engine.Benchmarks;
using FcnLab.Engine.Data;
using FcnLab.Engine.Tensors;
using FcnLab.Engine.Training;

namespace FcnLab.Cli;

/// <summary>fcnlab bench: the FMA peak, each GEMM of one training step against it, and seconds per epoch of three networks.</summary>
public static class BenchCommand
{
    private static readonly int[] DefaultWidths = [784, 1200, 2000, 800, 10];

    /// <summary>The networks whose epochs are timed, as presets (lenet5: --arch lenet5, Adam, batch 128).</summary>
    private static readonly (string Name, string? Preset)[] Trainings = [("default", null), ("bn-adam", "bn-adam"), ("lenet5", "lenet5")];

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("bench", "Measure this machine: FMA peak, GFLOP/s of each product of a training step of the default network (batch 512), and seconds per epoch of the default, the 1000-2000-1000-1000 + batch norm + Adam, and the LeNet-5 (Adam, batch 128) networks.");
        var threads = WholeNumberOption.Create("--threads", "Threads for the multi-threaded figures. Default: all cores.");
        var epochs = WholeNumberOption.Create("--epochs", "Epochs per timed training (seconds per epoch = median of epochs 2 and later). Default 3.");
        var data = new Option<string>("--data") { Description = "FashionMNIST directory. Default: the usual places; synthetic data of the same shape when none is found.", HelpName = "dir" };
        var noTraining = new Option<bool>("--no-training") { Description = "Only the FMA peak and the products; skip the timed trainings." };
        var json = new Option<bool>("--json") { Description = "Print one JSON document on stdout and nothing else there." };
        foreach (var o in new Option[] { threads, epochs, data, noTraining, json }) command.Options.Add(o);
        command.SetAction(parse => Execute(parse.GetValue(threads) ?? Environment.ProcessorCount, parse.GetValue(epochs) ?? 3,
            parse.GetValue(data), parse.GetValue(noTraining), parse.GetValue(json), stdout, stderr));
        return command;
    }

    public static int Execute(int threads, int epochs, string? dataDir, bool noTraining, bool json, TextWriter stdout, TextWriter stderr)
    {
        if (threads < 1) throw new FcnLabException($"--threads must be at least 1 (got {threads}).");
        if (epochs < 1) throw new FcnLabException($"--epochs must be at least 1 (got {epochs}).");
        var inv = CultureInfo.InvariantCulture;
        TextWriter log = json ? stderr : stdout;
        var threadCounts = threads == 1 ? new[] { 1 } : new[] { 1, threads };

        var products = new List<StepProductsResult>();
        string kernel = "";
        foreach (int t in threadCounts)
        {
            using var pool = new WorkerPool(t);
            kernel = new Gemm(pool).KernelName;
            double peak = FmaPeak.MeasureParallel(pool, 0.3);
            products.Add(StepProducts.Measure(DefaultWidths, 512, pool, peak));
            var r = products[^1];
            log.WriteLine(string.Format(inv, "{0} thread(s): FMA peak {1:F1} GFLOP/s; one training step of 784-1200-2000-800-10 at batch 512 ({2}):", t, peak, kernel));
            log.WriteLine("  layer  product          m     n     k    ms   GFLOP/s  % of peak");
            foreach (var p in r.Products)
                log.WriteLine(string.Format(inv, "  {0,5}  {1,-15} {2,5} {3,5} {4,5} {5,6:F2} {6,8:F1} {7,9:F1}%", p.Layer + 1, p.Product, p.M, p.N, p.K, p.MedianSeconds * 1e3, p.Gflops, p.PercentOfPeak));
            log.WriteLine(string.Format(inv, "  FLOP-weighted total: {0:F2} GFLOP in {1:F2} ms = {2:F1} GFLOP/s, {3:F1}% of peak", r.TotalFlops / 1e9, r.TotalSeconds * 1e3, r.TotalGflops, r.TotalPercentOfPeak));
        }

        var trainings = new List<(string Name, string Data, RunSummary Summary, IReadOnlyList<EpochMetrics> Epochs)>();
        if (!noTraining)
        {
            ImageDataset dataset;
            try
            {
                dataset = DatasetCatalog.Load(new DataOptions("fashion-mnist", dataDir));
            }
            catch (FcnLabException e) when (dataDir == null)
            {
                log.WriteLine($"FashionMNIST not found ({e.Message.Split('\n')[0]}); timing on synthetic data of the same shape.");
                dataset = SyntheticData.Create();
            }
            string root = Directory.CreateTempSubdirectory("fcnlab-bench-").FullName;
            try
            {
                foreach (var (name, preset) in Trainings)
                {
                    var config = Presets.Resolve(new TrainConfig(), preset, [new("epochs", epochs.ToString(inv)), new("threads", threads.ToString(inv))]);
                    var result = Trainer.Run(config, dataset, Path.Combine(root, name), NullObserver.Instance);
                    trainings.Add((name, dataset.Directory, result.Summary, result.Epochs));
                    log.WriteLine(string.Format(inv, "{0}: {1:F2} s per epoch (epochs: {2}; {3} threads; data {4})", name, result.Summary.SecondsPerEpoch,
                        string.Join(", ", result.Epochs.Select(e => e.Seconds.ToString("F2", inv))), threads, dataset.Directory));
                }
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        }

        if (json)
        {
            stdout.Write(RunDirectory.Json(w =>
            {
                w.WriteNumber("processors", Environment.ProcessorCount);
                w.WriteBoolean("avx512f", Avx512F.IsSupported);
                w.WriteString("gemm_kernel", kernel);
                w.WriteStartArray("products");
                foreach (var r in products)
                {
                    w.WriteStartObject();
                    w.WriteNumber("threads", r.Threads);
                    w.WriteNumber("fma_peak_gflops", Math.Round(r.PeakGflops, 2));
                    w.WriteNumber("total_gflops", Math.Round(r.TotalGflops, 2));
                    w.WriteNumber("total_percent_of_peak", Math.Round(r.TotalPercentOfPeak, 2));
                    w.WriteStartArray("by_layer");
                    foreach (var p in r.Products)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("layer", p.Layer + 1);
                        w.WriteString("product", p.Product switch { Product.Forward => "forward", Product.WeightGradient => "weight_gradient", _ => "input_gradient" });
                        w.WriteNumber("m", p.M);
                        w.WriteNumber("n", p.N);
                        w.WriteNumber("k", p.K);
                        w.WriteNumber("median_ms", Math.Round(p.MedianSeconds * 1e3, 4));
                        w.WriteNumber("gflops", Math.Round(p.Gflops, 2));
                        w.WriteNumber("percent_of_peak", Math.Round(p.PercentOfPeak, 2));
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartObject("seconds_per_epoch");
                foreach (var t in trainings)
                {
                    w.WriteStartObject(t.Name);
                    w.WriteNumber("median", Math.Round(t.Summary.SecondsPerEpoch, 3));
                    w.WriteStartArray("epochs");
                    foreach (var e in t.Epochs) w.WriteNumberValue(Math.Round(e.Seconds, 3));
                    w.WriteEndArray();
                    w.WriteNumber("threads", threads);
                    w.WriteString("data", t.Data);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }));
        }
        return ExitCodes.Success;
    }
}
