namespace FcnLab.Cli;

/// <summary>fcnlab reproduce STUDY: run a studies/ spec as a sweep, then print published vs FcnLab side by side.</summary>
public static class ReproduceCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("reproduce", "Reproduce a published study's table (a studies/*.yaml spec): run it as a sweep, then print the published numbers beside ours. The exit code is the sweep's.");
        var study = new Argument<string>("study") { Description = "A study name (see --list) or a spec file.", Arity = ArgumentArity.ZeroOrOne };
        var list = new Option<bool>("--list") { Description = "List the studies and what they reproduce." };
        var repeats = WholeNumberOption.Create("--repeats", "Repeats per grid point (seeds 1, 2, ...). Default: the spec's.");
        var studies = new Option<string>("--studies") { Description = $"Directory of study specs. Default: ${StudyCatalog.EnvironmentVariable}, else studies/ here or above the program.", HelpName = "dir" };
        var store = StoreOption.Create();
        var artifacts = StoreOption.Artifacts();
        var threads = WholeNumberOption.Create("--threads", "Worker threads per training. Default: all cores.");
        var quiet = new Option<bool>("--quiet") { Description = "Print only the tally and the comparison." };
        var epochs = SweepCommand.EpochsOverride();
        command.Arguments.Add(study);
        foreach (var o in new Option[] { epochs, list, repeats, studies, store, artifacts, threads, quiet }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            string dir = StudyCatalog.FindDirectory(parse.GetValue(studies));
            string? name = parse.GetValue(study);
            if (parse.GetValue(list))
            {
                if (name != null) throw new FcnLabException("--list takes no study name.");
                foreach (var s in StudyCatalog.List(dir))
                    stdout.WriteLine($"{s.Name,-36} {s.Study?.Source} — {s.Study?.Table} ({SweepGrid.Count(s) / s.Repeats} configurations x {s.Repeats} repeats)");
                return ExitCodes.Success;
            }
            if (name == null) throw new FcnLabException("Give a study to reproduce (fcnlab reproduce --list shows them).");
            var spec = SweepCommand.WithEpochs(StudyCatalog.Find(dir, name), parse.GetValue(epochs));
            if (spec.Study == null) throw new FcnLabException($"Spec '{spec.Name}' has no study block with published numbers; run it with `fcnlab sweep` instead.");
            if (parse.GetValue(repeats) is { } r)
            {
                if (r is < 1 or > 1000) throw new FcnLabException($"--repeats must be from 1 to 1000 (got {r}).");
                spec = spec with { Repeats = r };
                spec = spec with { SourceText = SweepSpecWriter.ToYaml(spec) };
            }
            string location = RunStores.Resolve(parse.GetValue(store));
            int code = SweepCommand.Execute(spec, location, new SweepRunOptions { Threads = parse.GetValue(threads) }, parse.GetValue(quiet), stdout, stderr, parse.GetValue(artifacts));
            using (var s = RunStores.Open(location))
            {
                stdout.WriteLine();
                WriteComparison(stdout, spec, StudyComparison.Compare(spec.Study, SweepResults.Of(s, spec)));
            }
            return code;
        });
        return command;
    }

    public static void WriteComparison(TextWriter w, SweepSpec spec, IReadOnlyList<ComparisonRow> rows)
    {
        var study = spec.Study!;
        w.WriteLine($"{study.Source} — {study.Table}: published vs FcnLab ({spec.Repeats} repeats per row; accuracies in percent)");
        var header = ComparisonRow.Header(spec.Axes.Select(a => a.Setting));
        var table = rows.Select(r => r.Cells()).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, table.Select(row => row[i].Length).DefaultIfEmpty(0).Max())).ToList();
        w.WriteLine(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var row in table) w.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        w.WriteLine("(informational: \"within 2 std\" needs at least 2 repeats; the exit code is the sweep's)");
    }
}
