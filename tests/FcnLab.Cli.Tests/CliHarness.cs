using FcnLab.Engine.Tests.Data;

namespace FcnLab.Cli.Tests;

/// <summary>Runs the CLI in-process on tiny IDX data sets the tests write themselves.</summary>
public sealed class CliHarness : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("fcnlab-cli-").FullName;

    public string DataDir { get; }

    public CliHarness(int train = 240, int test = 60, int size = 8, int classes = 4)
    {
        DataDir = IdxTestFiles.WriteDataset(Path.Combine(Root, "data"), train, test, size, size, classes, seed: 7);
    }

    public string Path_(string name) => Path.Combine(Root, name);

    /// <summary>The run store of this harness's commands (never the working directory's runs/).</summary>
    public string StorePath => Path.Combine(Root, "runs", "fcnlab.db");

    public (int Code, string Out, string Err) Run(params string[] args)
    {
        // Commands that use the run store get this harness's, so no test writes into the working directory.
        string[] storeCommands = ["train", "sweep", "runs", "show", "report", "reproduce"];
        if (args.Length > 0 && storeCommands.Contains(args[0]) && !args.Contains("--store") && !args.Contains("--help") && !args.Contains("--list"))
            args = [.. args, "--store", StorePath];
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>
    /// Writes a spec of a small random search named <paramref name="name"/> on the tiny data set (5 trials of lr and optimizer,
    /// ASHA with reduction factor 2, <paramref name="epochs"/> epochs a trial) and runs it with `fcnlab sweep`.
    /// </summary>
    public void RunTinySearch(string name, int epochs, params string[] extra)
    {
        string spec = Path_(name + ".yaml");
        File.WriteAllText(spec, $$"""
            name: {{name}}
            base: { data: "{{DataDir}}", dataset: tiny, epochs: {{epochs}}, batch_size: 32, hidden: [16], val_split: 0.2, threads: 1, seed: 3 }
            method: random
            trials: 5
            pruner: {kind: asha, min_epochs: 1, reduction_factor: 2}
            space:
              lr: {log_uniform: [0.001, 0.5]}
              optimizer: {choice: [sgd, adam]}
            """);
        var (code, _, err) = Run([.. new[] { "sweep", spec, "--quiet" }, .. extra]);
        if (code != 0) throw new InvalidOperationException($"the tiny search failed ({code}): {err}");
    }

    /// <summary>A small, quick training run on the tiny data set with the given extra flags.</summary>
    public (int Code, string Out, string Err) Train(string outDir, params string[] extra)
    {
        // Defaults for a quick run; a flag in extra replaces its default (a flag may be given once).
        string[][] defaults = [["--data", DataDir], ["--dataset", "tiny"], ["--hidden", "16,12"], ["--epochs", "3"], ["--batch-size", "32"], ["--lr", "0.1"], ["--threads", "2"], ["--out", outDir]];
        var args = new List<string> { "train" };
        foreach (var pair in defaults)
            if (!extra.Contains(pair[0]) && !(pair[0] == "--hidden" && extra.Contains("--arch"))) args.AddRange(pair);
        args.AddRange(extra);
        return Run([.. args]);
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
