using System.Text;
using FcnLab.Engine.Data;
using FcnLab.Engine.Models;
using FcnLab.Engine.Tensors;
using FcnLab.Engine.Tests.Data;
using FcnLab.Engine.Tests.IO;
using FcnLab.Engine.Training;
using FcnLab.Lab.Sweeps;
using FsCheck.Fluent;
using FsCheck;
using Xunit.Abstractions;

namespace FcnLab.Cli.Tests.Fuzz;

/// <summary>Valid inputs for the fuzzer: a tiny IDX and CSV data set, and a real run's model and checkpoint.</summary>
public sealed class FuzzSeeds : IDisposable
{
    public CliHarness Harness { get; } = new(train: 30, test: 10, size: 5, classes: 3);

    /// <summary>A dense model as this build writes it (format version 3).</summary>
    public byte[] Model { get; }
    public byte[] ArchModel { get; }

    /// <summary>A dense model as the build before version 3 wrote it (format version 1: the dense shorthand's settings in the header).</summary>
    public byte[] ModelVersion1 { get; } = File.ReadAllBytes(ModelFileFormatTests.Fixture("dense-v1.fcnlab"));
    public byte[] Checkpoint { get; }

    public FuzzSeeds()
    {
        // Batch norm, Adam and --patience put buffers, optimizer state and best-weight tensors in the files.
        string run = Harness.Path_("run");
        var (code, output, err) = Harness.Train(run, "--hidden", "4", "--epochs", "2", "--batch-size", "8", "--batch-norm",
            "--optimizer", "adam", "--lr", "0.01", "--patience", "5", "--threads", "1");
        if (code != 0) throw new InvalidOperationException($"The seed run failed ({code}): {err}{output}");
        Model = File.ReadAllBytes(Path.Combine(run, "model.fcnlab"));
        // A convolutional model.
        string cnn = Harness.Path_("cnn");
        (code, output, err) = Harness.Train(cnn, "--arch", "conv(2,3,pad=1) batchnorm relu maxpool(2) flatten dense(classes)",
            "--epochs", "1", "--batch-size", "8", "--threads", "1");
        if (code != 0) throw new InvalidOperationException($"The convolutional seed run failed ({code}): {err}{output}");
        ArchModel = File.ReadAllBytes(Path.Combine(cnn, "model.fcnlab"));
        // The checkpoint records timings, the start time and the data's temp path: fixed here, so that a
        // fuzz case (edits at positions) makes the same bytes on every run and a failure can be replayed.
        var checkpoint = File.ReadAllBytes(Path.Combine(run, Engine.Training.Checkpoint.FileName));
        checkpoint = SealedFiles.EditHeader(checkpoint, @"""(seconds|epoch_seconds)"": [0-9.eE+-]+", @"""$1"": 0.25", everywhere: true);
        checkpoint = SealedFiles.EditHeader(checkpoint, @"""started_at"": ""[^""]*""", @"""started_at"": ""2025-01-01T00:00:00Z""");
        Checkpoint = SealedFiles.EditHeader(checkpoint, @"""data"": ""[^""]*""", @"""data"": ""/data/tiny""");
    }

    public void Dispose() => Harness.Dispose();
}

/// <summary>
/// Property tests (FsCheck) that mutate valid IDX, CSV, model, checkpoint and sweep-spec bytes and check
/// that parsing them either succeeds or throws FcnLabException, never another exception, a hang or a
/// giant allocation. A few hundred cases per format in CI; docs/fuzzing.md has the long run's command:
/// FCNLAB_FUZZ_CASES=10000 dotnet test tests/FcnLab.Cli.Tests -c Release --filter Category=Fuzz
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class FuzzTests(FuzzSeeds seeds, ITestOutputHelper output) : IClassFixture<FuzzSeeds>
{
    /// <summary>A plan applied to one file of several.</summary>
    public sealed record FileCase(string File, MutationPlan Plan)
    {
        public override string ToString() => $"{File}: {Plan}";
    }

    /// <summary>How a checksummed file (model, checkpoint) is mutated.</summary>
    public enum Sealing
    {
        /// <summary>The bytes as they are: the checksum catches nearly everything.</summary>
        Raw,
        /// <summary>The SHA-256 recomputed after the edit, so the parser sees the damage.</summary>
        Resealed,
        /// <summary>Text edits of the JSON header, with header length and checksum made right again.</summary>
        Header,
    }

    public sealed record SealedCase(Sealing Sealing, MutationPlan Plan)
    {
        public override string ToString() => $"{Sealing}: {Plan}";
    }

    private void Report(FuzzStats stats) => output.WriteLine(stats.ToString());

    private static Gen<FileCase> FileCases(string[] files, Gen<Mutation> edit) =>
        from file in Gen.Elements(files)
        from plan in MutationPlan.Of(edit)
        select new FileCase(file, plan);

    private static IEnumerable<FileCase> Shrink(FileCase c) => c.Plan.Shrink().Select(p => c with { Plan = p });

    /// <summary>
    /// Fuzzes a data set directory: each case damages one of <paramref name="files"/>, loads the data set
    /// and puts the file back. <paramref name="readDirectly"/> also parses the damaged file on this thread
    /// (the catalog reads IDX files on other threads, where the allocation check does not see them).
    /// </summary>
    private FuzzStats FuzzDataset(string format, string directory, string[] files, Gen<Mutation> edit, Action<string>? readDirectly = null)
    {
        var valid = files.ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(directory, f)));
        return Fuzzer.Check(format, FileCases(files, edit), Shrink, c =>
        {
            string path = Path.Combine(directory, c.File);
            File.WriteAllBytes(path, c.Plan.Apply(valid[c.File]));
            try
            {
                readDirectly?.Invoke(path);
                DatasetCatalog.Load(new DataOptions("tiny", directory));
            }
            finally
            {
                File.WriteAllBytes(path, valid[c.File]);
            }
        });
    }

    private static void ReadIdx(string path)
    {
        if (Path.GetFileName(path).Contains("images", StringComparison.Ordinal)) IdxReader.ReadImages(path);
        else IdxReader.ReadLabels(path);
    }

    private static readonly string[] IdxFiles =
        [DatasetCatalog.TrainImagesFile, DatasetCatalog.TrainLabelsFile, DatasetCatalog.TestImagesFile, DatasetCatalog.TestLabelsFile];

    [Fact]
    public void Idx()
    {
        string dir = IdxTestFiles.WriteDataset(seeds.Harness.Path_("fuzz-idx"), 20, 8, 5, 5, 3, seed: 3);
        Report(FuzzDataset("idx", dir, IdxFiles, MutationPlan.ByteEdit, ReadIdx));
    }

    [Fact]
    public void IdxGzip()
    {
        // Edits of the compressed bytes: broken deflate streams, bad CRCs and lengths, short streams.
        string dir = IdxTestFiles.WriteDataset(seeds.Harness.Path_("fuzz-idx-gz"), 20, 8, 5, 5, 3, seed: 3, gzip: true);
        Report(FuzzDataset("idx-gzip", dir, [.. IdxFiles.Select(f => f + ".gz")], MutationPlan.ByteEdit, ReadIdx));
    }

    [Fact]
    public void Csv()
    {
        string dir = Directory.CreateDirectory(seeds.Harness.Path_("fuzz-csv")).FullName;
        var rng = new System.Random(5);
        foreach (var (file, rows) in new[] { ("train.csv", 20), ("test.csv", 6) })
        {
            var lines = new List<string> { "label," + string.Join(",", Enumerable.Range(1, 16).Select(i => $"pixel{i}")) };
            for (int r = 0; r < rows; r++)
                lines.Add($"{r % 3}," + string.Join(",", Enumerable.Range(0, 16).Select(_ => rng.Next(256))));
            File.WriteAllLines(Path.Combine(dir, file), lines);
        }
        Report(FuzzDataset("csv", dir, ["train.csv", "test.csv"], MutationPlan.TextEdit));
    }

    private static Gen<SealedCase> SealedCases() =>
        from sealing in Gen.Elements(Sealing.Raw, Sealing.Resealed, Sealing.Header)
        from plan in MutationPlan.Of(sealing == Sealing.Header ? MutationPlan.TextEdit : MutationPlan.ByteEdit)
        select new SealedCase(sealing, plan);

    private static IEnumerable<SealedCase> Shrink(SealedCase c) => c.Plan.Shrink().Select(p => c with { Plan = p });

    private static byte[] Apply(SealedCase c, byte[] valid) => c.Sealing switch
    {
        Sealing.Raw => c.Plan.Apply(valid),
        Sealing.Resealed => SealedFiles.Reseal(c.Plan.Apply(valid)),
        _ => SealedFiles.WithHeader(valid, c.Plan.Apply(SealedFiles.Header(valid))),
    };

    [Fact]
    public void Reseal_And_WithHeader_GiveFilesTheParsersAccept()
    {
        // The fuzzer's sealing must be right, or every Resealed and Header case would stop at the checksum.
        Assert.NotNull(ModelFile.Parse(SealedFiles.WithHeader(seeds.Model, SealedFiles.Header(seeds.Model)), "m"));
        Assert.NotNull(Engine.Training.Checkpoint.Parse(SealedFiles.Reseal(seeds.Checkpoint), "c"));
        var spaced = SealedFiles.WithHeader(seeds.Model, [.. SealedFiles.Header(seeds.Model), (byte)' ']);
        Assert.Equal(seeds.Model.Length + 1, spaced.Length);
        Assert.NotNull(ModelFile.Parse(spaced, "m"));
    }

    [Fact]
    public void Model() => FuzzModelFile("model", seeds.Model);

    [Fact]
    public void ArchModel() => FuzzModelFile("arch-model", seeds.ArchModel);

    [Fact]
    public void ModelVersion1() => FuzzModelFile("model-v1", seeds.ModelVersion1);

    /// <summary>What eval does with a model file, on mutated copies of <paramref name="valid"/>: parse it, build its network, load the weights.</summary>
    private void FuzzModelFile(string format, byte[] valid)
    {
        using var pool = new WorkerPool(1);
        Report(Fuzzer.Check(format, SealedCases(), Shrink, c =>
        {
            var contents = ModelFile.Parse(Apply(c, valid), "model.fcnlab");
            ModelFile.BuildNetwork(contents, pool, "model.fcnlab");
        }));
    }

    [Fact]
    public void Checkpoint() =>
        Report(Fuzzer.Check("checkpoint", SealedCases(), Shrink, c => Engine.Training.Checkpoint.Parse(Apply(c, seeds.Checkpoint), "checkpoint.fcnlab")));

    /// <summary>A sweep spec like those in studies/: comments, block and flow style, quoted text, a study block.</summary>
    private const string SweepSpec = """
        # A grid over optimizers and learning rates, with published numbers.
        name: fuzz-optimizers
        description: "Optimizers x learning rates on 784-400-400-10 (Table 2)"
        base:
          hidden: [400, 400]
          activation: relu
          batch_size: 512
          epochs: 15
          val-split: 0.1
          normalize: standardize
          dropout: 0
          init_std: 1.0
          seed: 1
        axes:
          optimizer: [sgd, adam]
          lr:
            - 0.1
            - 0.001
        repeats: 3
        study:
          source: study.md
          table: "Table 2: optimizers"
          preprocessing: "Standardized with the training split's mean and std."
          assumptions:
            - "Batch 512, as in the course template."
            - 'Each configuration ran once.'
          published:
            - { optimizer: sgd, lr: 0.1, test_acc: 88.5, best_val_acc: 89.1, best_val_epoch: 12 }
            - { optimizer: adam, lr: 0.001, test_acc: 89.01, lowest_train_loss: 0.21, lowest_train_loss_epoch: 15 }
        """;

    [Fact]
    public void SweepSpecSeed_IsValid() => Assert.Equal(4, SweepGrid.Points(SweepSpecParser.Parse(SweepSpec)).Count());

    [Fact]
    public void Yaml()
    {
        byte[] valid = Encoding.UTF8.GetBytes(SweepSpec);
        Report(Fuzzer.Check("yaml", valid, MutationPlan.TextEdit, bytes => SweepSpecParser.Parse(Encoding.UTF8.GetString(bytes), "spec.yaml")));
    }
}
