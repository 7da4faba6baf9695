using System.Text;
using FcnLab.Engine.Tests.Frozen;
using FcnLab.Engine.Training;
using FcnLab.Lab.Sweeps;

namespace FcnLab.Lab.Tests.Sweeps;

/// <summary>
/// Trial identities as the code gave them before the issue 13 refactor (Fixtures/trial-ids/): the id of
/// every trial of every studies/*.yaml spec, as `fcnlab sweep` and `fcnlab reproduce` resolve them, and
/// the identity of hand-built configs with every setting at a value other than its default. A changed
/// id makes a finished sweep run its trials again, so none may change. Fixtures/README.md says how
/// they were recorded.
/// </summary>
public class FrozenTrialIdTests
{
    private static string Folder => FrozenFixture.Folder("FcnLab.Lab.Tests", "trial-ids");

    // The repository's own studies/ (not $FCNLAB_STUDIES, which may point elsewhere).
    private static string StudiesDirectory => Path.Combine(FrozenFixture.RepositoryRoot(), "studies");

    /// <summary>Each trial as one line: id, grid point, seed; the run directory when asked (under the root "RUNS").</summary>
    private static void AppendTrials(StringBuilder sb, SweepSpec spec, string title, bool runDirs = false)
    {
        var trials = SweepGrid.Expand(spec, "RUNS");
        sb.Append($"# {title}: {trials.Count} trials\n");
        foreach (var (trial, _) in trials)
        {
            sb.Append(trial.TrialId).Append(' ').AppendJoin(" ", trial.Point.Select(p => $"{p.Key}={p.Value}")).Append($" seed={trial.Seed}");
            if (runDirs) sb.Append(" run_dir=").Append(trial.RunDir.Replace('\\', '/'));
            sb.Append('\n');
        }
    }

    [Fact]
    public void EveryStudyTrial_KeepsItsId()
    {
        var specs = StudyCatalog.List(StudiesDirectory);
        Assert.NotEmpty(specs);
        var sb = new StringBuilder();
        foreach (var spec in specs) AppendTrials(sb, spec, $"studies/{spec.Name}.yaml");
        FrozenFixture.Check(Folder, "studies.txt", sb.ToString());
    }

    /// <summary>`fcnlab sweep|reproduce SPEC --epochs 1`: the spec with epochs set in its base (other trials, with their own ids).</summary>
    [Fact]
    public void EveryStudyTrial_WithTheEpochsOverride_KeepsItsId()
    {
        var sb = new StringBuilder();
        foreach (var spec in StudyCatalog.List(StudiesDirectory))
            AppendTrials(sb, spec.WithBaseSetting("epochs", "1"), $"studies/{spec.Name}.yaml --epochs 1");
        FrozenFixture.Check(Folder, "studies-epochs-1.txt", sb.ToString());
    }

    /// <summary>
    /// Specs that name their data (read as text, `data:` is taken as written, relative or not, into the identity), a
    /// preset, and more repeats than the studies; the runs root only places the run directories.
    /// </summary>
    [Fact]
    public void SpecsWithDataPresetAndRepeats_KeepTheirIds_AndTheRunsRootLeavesIdsAlone()
    {
        var sb = new StringBuilder();
        foreach (string text in SpecTexts)
        {
            var spec = SweepSpecParser.Parse(text);
            AppendTrials(sb, spec, spec.Name, runDirs: true);
            Assert.Equal(SweepGrid.Expand(spec, "RUNS").Select(t => t.Trial.TrialId), SweepGrid.Expand(spec, Path.Combine("elsewhere", "artifacts")).Select(t => t.Trial.TrialId));
        }
        FrozenFixture.Check(Folder, "specs.txt", sb.ToString());
    }

    /// <summary>
    /// Issue 14, point 7: read from a file, a relative `data:` is resolved against the file's directory, so the frozen
    /// relative-data spec's trials get the ids of the same spec with the full path written out (read as text, with no
    /// file, it keeps the frozen ids above); an absolute `data:` keeps its ids either way.
    /// </summary>
    [Fact]
    public void SpecFilesWithARelativeData_GetTheIdsOfTheSpecWithTheResolvedPathWrittenOut()
    {
        string dir = Directory.CreateTempSubdirectory("fcnlab-spec-").FullName;
        try
        {
            string relative = SpecTexts[0], absolute = SpecTexts[1];
            string file = Path.Combine(dir, "relative.yaml");
            File.WriteAllText(file, relative);
            string full = Path.Combine(dir, "data", "tiny");
            var written = SweepSpecParser.Parse(relative.Replace("data: data/tiny", $"data: \"{full}\"", StringComparison.Ordinal));
            var read = SweepSpecParser.ParseFile(file);
            Assert.Equal(SweepGrid.Expand(written, "RUNS").Select(t => t.Trial.TrialId), SweepGrid.Expand(read, "RUNS").Select(t => t.Trial.TrialId));
            Assert.Equal(full, read.Base.Single(b => b.Key == "data").Value);
            // The text the store keeps expands to the same trials wherever a worker reads it.
            Assert.Equal(SweepGrid.Expand(read, "RUNS").Select(t => t.Trial.TrialId), SweepGrid.Expand(SweepSpecParser.Parse(read.SourceText), "RUNS").Select(t => t.Trial.TrialId));

            File.WriteAllText(file, absolute);
            Assert.Equal(SweepGrid.Expand(SweepSpecParser.Parse(absolute), "RUNS").Select(t => t.Trial.TrialId), SweepGrid.Expand(SweepSpecParser.ParseFile(file), "RUNS").Select(t => t.Trial.TrialId));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Specs that name their data (relative, then absolute), a preset, and more repeats than the studies.</summary>
    private static readonly string[] SpecTexts =
        [
            """
            name: frozen-relative-data
            base: { data: data/tiny, dataset: tiny, hidden: [16], epochs: 2, batch_size: 32 }
            axes:
              lr: [0.1, 1e-2]
            repeats: 2
            """,
            """
            name: frozen-absolute-data
            base: { data: /srv/datasets/fashion-mnist, hidden: [16], epochs: 2 }
            axes:
              optimizer: [sgd, adam]
            """,
            """
            name: frozen-preset
            base: { preset: fast, epochs: 3, seed: 11 }
            axes:
              dropout: [0.1, 0.3]
              batch_norm: [true, false]
            repeats: 3
            """,
            """
            name: frozen-arch
            base: { arch: "conv(4,3,pad=1) relu maxpool(2) flatten dense(classes)", augment: true }
            axes:
              lr_schedule: [constant, cosine]
            """,
        ];

    /// <summary>Configs built by hand: every setting away from its default at least once, each recorded as its identity and canonical JSON.</summary>
    public static readonly Dictionary<string, (string? Preset, Dictionary<string, string> Settings)> Configs = new()
    {
        ["defaults"] = (null, []),
        ["defaults-other-threads"] = (null, new() { ["threads"] = "7" }),
        ["dense-every-setting"] = (null, new()
        {
            ["data"] = "data/tiny", ["dataset"] = "mnist", ["image-shape"] = "1x28x28", ["classes"] = "10", ["val-split"] = "5000", ["stratify"] = "true", ["normalize"] = "scale",
            ["hidden"] = "64,32", ["activation"] = "leaky-relu", ["leaky-slope"] = "0.2", ["batch-norm"] = "true", ["dropout"] = "0.25",
            ["init"] = "normal", ["init-std"] = "0.05", ["init-from"] = "runs/old/model.fcnlab",
            ["optimizer"] = "sgd", ["lr"] = "0.05", ["momentum"] = "0.9", ["nesterov"] = "true", ["eps"] = "1e-7", ["weight-decay"] = "0.0005",
            ["alpha"] = "0.95", ["beta1"] = "0.85", ["beta2"] = "0.995",
            ["l2"] = "0.001", ["clip-grad-norm"] = "1.5",
            ["lr-schedule"] = "step", ["lr-step-size"] = "3", ["lr-gamma"] = "0.5", ["lr-factor"] = "0.2", ["lr-plateau-patience"] = "2",
            ["epochs"] = "7", ["batch-size"] = "64", ["no-shuffle"] = "true", ["augment"] = "true",
            ["patience"] = "3", ["restore-best"] = "true", ["seed"] = "42", ["threads"] = "3",
        }),
        ["sigmoid-xavier-normal-rmsprop-plateau"] = (null, new()
        {
            ["hidden"] = "none", ["activation"] = "sigmoid", ["init"] = "xavier-normal", ["optimizer"] = "rmsprop", ["lr"] = "0.001", ["momentum"] = "0.5",
            ["lr-schedule"] = "plateau", ["normalize"] = "none", ["val-split"] = "0",
        }),
        ["tanh-xavier-uniform-adam-cosine"] = (null, new()
        {
            ["hidden"] = "100", ["activation"] = "tanh", ["init"] = "xavier-uniform", ["optimizer"] = "adam", ["lr"] = "0.001", ["lr-schedule"] = "cosine", ["val-split"] = "0.2",
        }),
        ["kaiming-adamw"] = (null, new() { ["init"] = "kaiming-uniform", ["optimizer"] = "adamw", ["weight-decay"] = "0.01" }),
        ["kaiming-normal-relu"] = (null, new() { ["init"] = "kaiming-normal" }),
        ["arch-lenet5"] = (null, new() { ["arch"] = "lenet5", ["optimizer"] = "adam", ["lr"] = "0.001" }),
        ["arch-text"] = (null, new() { ["arch"] = "conv(8,3,pad=1) batchnorm leaky-relu(0.2) avgpool(2) flatten dropout(0.5) dense(classes)", ["augment"] = "false" }),
        ["preset-fast"] = ("fast", []),
        ["preset-cnn-other-epochs"] = ("cnn", new() { ["epochs"] = "2" }),
        ["preset-bn-adam-with-hidden"] = ("bn-adam", new() { ["hidden"] = "32" }),
        ["label-smoothing"] = (null, new() { ["label-smoothing"] = "0.1" }),
        ["val-from-last-symmetric"] = (null, new() { ["val-from"] = "last", ["val-split"] = "5000", ["normalize"] = "symmetric" }),
        ["crop-flip-erasing"] = (null, new() { ["random-crop"] = "4", ["hflip"] = "0.5", ["random-erasing"] = "0.25" }),
        ["warmup-cosine"] = (null, new() { ["warmup-epochs"] = "2", ["lr-schedule"] = "cosine" }),
    };

    [Fact]
    public void HandBuiltConfigs_KeepTheirIdentity()
    {
        var sb = new StringBuilder();
        foreach (var (name, (preset, settings)) in Configs)
        {
            var config = Presets.Resolve(new TrainConfig(), preset, settings);
            sb.Append($"{name}: {TrialIdentity.Of(config)}\n  {TrialIdentity.CanonicalJson(config)}\n");
        }
        FrozenFixture.Check(Folder, "configs.txt", sb.ToString());
    }

    [Fact]
    public void HandBuiltConfigs_SetEverySetting()
    {
        // The thread count never changes results, so it is left out of identities (defaults-other-threads checks that).
        var set = Configs.Values.SelectMany(c => c.Settings.Keys).ToHashSet();
        var missing = TrainSettings.All.Select(s => s.Name).Where(name => !set.Contains(name)).ToList();
        Assert.True(missing.Count == 0,
            $"No hand-built config sets {string.Join(", ", missing)}: add a config that sets it away from its default and record it (FCNLAB_WRITE_FIXTURES=1; configs.txt may only gain lines).");
    }
}
