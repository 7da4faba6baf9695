using System.Runtime.Intrinsics.X86;
using FcnLab.Benchmarks.Compute;
using FcnLab.Benchmarks.Training;
using static System.FormattableString;

namespace FcnLab.Cli;

/// <summary>fcnlab bench: the FMA peak, each GEMM of one training step and each convolution of the cnn network against it, and seconds per epoch of four networks.</summary>
// Each section is one measurement of FcnLab.Benchmarks, written as text as it finishes (to stdout, or
// stderr under --json) and into one JSON document at the end.
public static class BenchCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("bench", "Measure this machine: FMA peak, GFLOP/s of each product of a training step of the default network (batch 512) and of each convolution of --arch cnn (batch 128), and seconds per epoch of the default, the 1000-2000-1000-1000 + batch norm + Adam, the LeNet-5 (Adam, batch 128) and the --preset cnn networks.");
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
        TextWriter log = json ? stderr : stdout;

        var products = new List<StepProductsResult>();
        var convolutions = new List<ConvProductsResult>();
        foreach (int t in threads == 1 ? new[] { 1 } : new[] { 1, threads })
        {
            products.Add(StepProducts.Measure(NetworkProducts.DefaultWidths, 512, t));
            WriteProducts(log, products[^1]);
            convolutions.Add(ConvProducts.Measure("cnn", 128, t, products[^1].PeakGflops));
            WriteConvolutions(log, convolutions[^1]);
        }

        var trainings = new List<EpochTiming>();
        if (!noTraining)
        {
            var data = EpochTimings.LoadData(dataDir);
            if (data.Substitute != null) log.WriteLine($"FashionMNIST not found ({data.Substitute}); timing on synthetic data of the same shape.");
            foreach (var (name, preset) in EpochTimings.Networks)
            {
                trainings.Add(EpochTimings.Measure(name, preset, data.Dataset, epochs, threads));
                WriteTraining(log, trainings[^1]);
            }
        }

        if (json)
        {
            stdout.Write(RunDirectory.Json(w =>
            {
                w.WriteNumber("processors", Environment.ProcessorCount);
                w.WriteBoolean("avx512f", Avx512F.IsSupported);
                w.WriteString("gemm_kernel", products[^1].Kernel);
                WriteProductsJson(w, products);
                WriteConvolutionsJson(w, convolutions);
                WriteTrainingsJson(w, trainings);
            }));
        }
        return ExitCodes.Success;
    }

    private static void WriteProducts(TextWriter log, StepProductsResult r)
    {
        log.WriteLine(Invariant($"{r.Threads} thread(s): FMA peak {r.PeakGflops:F1} GFLOP/s; one training step of 784-1200-2000-800-10 at batch 512 ({r.Kernel}):"));
        log.WriteLine("  layer  product          m     n     k    ms   GFLOP/s  % of peak");
        foreach (var p in r.Products)
            log.WriteLine(Invariant($"  {p.Layer + 1,5}  {p.Product,-15} {p.M,5} {p.N,5} {p.K,5} {p.MedianSeconds * 1e3,6:F2} {p.Gflops,8:F1} {p.PercentOfPeak,9:F1}%"));
        WriteTotal(log, r.TotalFlops, r.TotalSeconds, r.TotalGflops, r.TotalPercentOfPeak);
    }

    private static void WriteConvolutions(TextWriter log, ConvProductsResult r)
    {
        log.WriteLine(Invariant($"{r.Threads} thread(s): the convolutions of --arch {r.Arch}, batch {r.Batch}, each whole layer (im2col, products, transposes):"));
        log.WriteLine("  layer  pass                             GFLOP     ms   GFLOP/s  % of peak");
        foreach (var p in r.Passes)
            log.WriteLine(Invariant($"  {p.Layer + 1,5}  {p.Pass,-30} {p.Flops / 1e9,7:F3} {p.MedianSeconds * 1e3,6:F2} {p.Gflops,8:F1} {p.PercentOfPeak,9:F1}%   {p.Description}"));
        WriteTotal(log, r.TotalFlops, r.TotalSeconds, r.TotalGflops, r.TotalPercentOfPeak);
    }

    private static void WriteTotal(TextWriter log, double flops, double seconds, double gflops, double percentOfPeak) =>
        log.WriteLine(Invariant($"  FLOP-weighted total: {flops / 1e9:F2} GFLOP in {seconds * 1e3:F2} ms = {gflops:F1} GFLOP/s, {percentOfPeak:F1}% of peak"));

    private static void WriteTraining(TextWriter log, EpochTiming t) =>
        log.WriteLine(Invariant($"{t.Network}: {t.SecondsPerEpoch:F2} s per epoch (epochs: {string.Join(", ", t.EpochSeconds.Select(s => Invariant($"{s:F2}")))}; {t.Threads} threads; data {t.Data})"));

    private static void WriteProductsJson(Utf8JsonWriter w, IReadOnlyList<StepProductsResult> products)
    {
        w.WriteStartArray("products");
        foreach (var r in products)
        {
            w.WriteStartObject();
            w.WriteNumber("threads", r.Threads);
            WriteTotals(w, r.PeakGflops, r.TotalGflops, r.TotalPercentOfPeak);
            w.WriteStartArray("by_layer");
            foreach (var p in r.Products)
            {
                w.WriteStartObject();
                w.WriteNumber("layer", p.Layer + 1);
                w.WriteString("product", p.Product switch { Product.Forward => "forward", Product.WeightGradient => "weight_gradient", _ => "input_gradient" });
                w.WriteNumber("m", p.M);
                w.WriteNumber("n", p.N);
                w.WriteNumber("k", p.K);
                WriteRate(w, p.MedianSeconds, p.Gflops, p.PercentOfPeak);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteConvolutionsJson(Utf8JsonWriter w, IReadOnlyList<ConvProductsResult> convolutions)
    {
        w.WriteStartArray("convolutions");
        foreach (var r in convolutions)
        {
            w.WriteStartObject();
            w.WriteString("arch", r.Arch);
            w.WriteNumber("batch", r.Batch);
            w.WriteNumber("threads", r.Threads);
            WriteTotals(w, r.PeakGflops, r.TotalGflops, r.TotalPercentOfPeak);
            w.WriteStartArray("by_layer");
            foreach (var p in r.Passes)
            {
                w.WriteStartObject();
                w.WriteNumber("layer", p.Layer + 1);
                w.WriteString("layer_description", p.Description);
                w.WriteString("pass", p.Pass);
                w.WriteNumber("gflop", Math.Round(p.Flops / 1e9, 4));
                WriteRate(w, p.MedianSeconds, p.Gflops, p.PercentOfPeak);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteTotals(Utf8JsonWriter w, double peakGflops, double totalGflops, double totalPercentOfPeak)
    {
        w.WriteNumber("fma_peak_gflops", Math.Round(peakGflops, 2));
        w.WriteNumber("total_gflops", Math.Round(totalGflops, 2));
        w.WriteNumber("total_percent_of_peak", Math.Round(totalPercentOfPeak, 2));
    }

    private static void WriteRate(Utf8JsonWriter w, double medianSeconds, double gflops, double percentOfPeak)
    {
        w.WriteNumber("median_ms", Math.Round(medianSeconds * 1e3, 4));
        w.WriteNumber("gflops", Math.Round(gflops, 2));
        w.WriteNumber("percent_of_peak", Math.Round(percentOfPeak, 2));
    }

    private static void WriteTrainingsJson(Utf8JsonWriter w, IReadOnlyList<EpochTiming> trainings)
    {
        w.WriteStartObject("seconds_per_epoch");
        foreach (var t in trainings)
        {
            w.WriteStartObject(t.Network);
            w.WriteNumber("median", Math.Round(t.SecondsPerEpoch, 3));
            w.WriteStartArray("epochs");
            foreach (double s in t.EpochSeconds) w.WriteNumberValue(Math.Round(s, 3));
            w.WriteEndArray();
            w.WriteNumber("threads", t.Threads);
            w.WriteString("data", t.Data);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }
}
