using System.Text;
using FcnLab.Engine.Models;
using FcnLab.Engine.Tests.Frozen;

namespace FcnLab.Cli.Tests.Frozen;

/// <summary>
/// What the frozen fixtures record of a finished run directory, each file normalized so that only what
/// may differ between two identical runs (DESIGN.md, "Time": timings, thread count, host, timestamps)
/// and what depends on where the files lie (paths, the version string) is left out.
/// </summary>
public static class FrozenRun
{
    /// <summary>config.json's fields that legitimately vary; <paramref name="alsoLeftOut"/> adds more (e.g. init_from, a path).</summary>
    public static string Config(string json, params string[] alsoLeftOut) =>
        FrozenFixture.Json(json, ["fcnlab_version", "data_dir", "host", "started_at", "threads", "resumes[].at", "resumes[].threads", .. alsoLeftOut]);

    /// <summary>`train --json`: the run directory and every timing left out.</summary>
    public static string TrainJson(string json) =>
        FrozenFixture.Json(json, "run_dir", "summary.train_seconds", "summary.seconds_per_epoch", "epochs[].seconds");

    /// <summary>
    /// The model's tensors as they load through the public API: name, shape and SHA-256 of the float32
    /// little-endian values, sorted by name (the file's own layout is free to change; the weights are not).
    /// </summary>
    public static string Weights(string modelPath)
    {
        var sb = new StringBuilder();
        foreach (var (name, (shape, values)) in ModelFile.Load(modelPath).Tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
            sb.Append($"{name} [{string.Join(", ", shape)}] sha256:{FrozenFixture.Sha256(values)}\n");
        return sb.ToString();
    }

    /// <summary>
    /// The files of a run directory: the text outputs normalized, the model as <see cref="Weights"/>, and
    /// files.txt naming every file, with the SHA-256 of the plots (pure functions of the results).
    /// </summary>
    public static List<(string Name, string Text)> Outputs(string runDir, string trainJson, string command, params string[] configLeftOut)
    {
        string Read(string name) => File.ReadAllText(Path.Combine(runDir, name)).ReplaceLineEndings("\n");
        bool Has(string name) => File.Exists(Path.Combine(runDir, name));

        var files = new List<(string, string)> { ("command.txt", command + "\n") };
        if (Has("summary.json")) files.Add(("summary.json", FrozenFixture.Json(Read("summary.json"), "train_seconds", "seconds_per_epoch")));
        files.Add(("metrics.csv", FrozenFixture.CsvWithout(Read("metrics.csv"), "seconds")));
        files.Add(("steps.csv", Read("steps.csv")));
        if (Has("confusion.csv")) files.Add(("confusion.csv", Read("confusion.csv")));
        if (Has("model.fcnlab")) files.Add(("weights.txt", Weights(Path.Combine(runDir, "model.fcnlab"))));
        files.Add(("config.json", Config(Read("config.json"), configLeftOut)));
        files.Add(("train.json", TrainJson(trainJson)));
        var listing = new StringBuilder();
        foreach (string path in Directory.GetFiles(runDir).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(path);
            listing.Append(name);
            if (name.EndsWith(".svg", StringComparison.Ordinal)) listing.Append(" sha256:").Append(FrozenFixture.Sha256(File.ReadAllBytes(path)));
            listing.Append('\n');
        }
        files.Add(("files.txt", listing.ToString()));
        return files;
    }
}
