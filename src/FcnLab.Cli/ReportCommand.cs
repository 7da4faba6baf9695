namespace FcnLab.Cli;

/// <summary>fcnlab report SWEEP: the sweep's tables, SVG plots and report.html, from the store (regenerable at any time).</summary>
public static class ReportCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("report", "Write a sweep's report from the run store: table.md, table.csv, SVG plots and report.html.");
        var sweep = new Argument<string>("sweep") { Description = "The sweep's name (fcnlab runs lists them)." };
        var store = StoreOption.Create();
        var storeTimeout = StoreOption.Timeout();
        command.Options.Add(storeTimeout);
        var output = new Option<string>("--out") { Description = "Report directory. Default: <artifacts>/<sweep>/report (<store dir>/<sweep>/report for SQLite).", HelpName = "dir" };
        var artifacts = StoreOption.Artifacts();
        var compare = new Option<string[]>("--compare")
        {
            Description = "For a search: another search of the same store and objective to draw beside it, best value against epochs spent (search_compare.svg); repeat it for more.",
            HelpName = "search",
        };
        command.Arguments.Add(sweep);
        foreach (var o in new Option[] { store, artifacts, output, compare }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            string location = RunStores.Resolve(parse.GetValue(store));
            string name = parse.GetValue(sweep)!;
            using var s = RunStores.OpenToRead(location, StoreOption.Wait(parse.GetValue(storeTimeout)));
            var record = s.RequireSweep(name);
            // The report shows the trials of the spec the sweep was last run with.
            var spec = SweepSpecParser.Parse(record.SpecText, $"the stored spec of sweep '{name}'");
            var results = SweepResults.Of(s, spec);
            string outDir = parse.GetValue(output) ?? Path.Combine(RunStores.RunsRoot(location, parse.GetValue(artifacts)), name, "report");
            // A search's trials share the base's data; a grid's come from its first trial.
            var data = spec.Search != null ? SweepGrid.Resolve(spec, [], spec.BaseSeed).DataOptions
                : SweepGrid.Expand(spec, "").Select(t => t.Config.DataOptions).FirstOrDefault();
            var others = (parse.GetValue(compare) ?? []).Select(other =>
            {
                var otherSpec = SweepSpecParser.Parse(s.RequireSweep(other).SpecText, $"the stored spec of sweep '{other}'");
                return (SweepResults.Of(s, otherSpec), otherSpec);
            }).ToList();
            var written = ReportWriter.Write(results, outDir, TestImages(data, stderr), spec, others);
            foreach (var path in written) stdout.WriteLine(path);
            stdout.WriteLine($"report of sweep {name} ({results.Trials.Count} trials): {Path.Combine(outDir, "report.html")}");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The data set's test images for the misclassified grid; without them the report leaves the grid out.</summary>
    public static ReportImages? TestImages(DataOptions? options, TextWriter stderr)
    {
        if (options == null) return null;
        try
        {
            var data = DatasetCatalog.Load(options);
            return new ReportImages(data.Test, data.ImageShape, data.ClassNames);
        }
        catch (FcnLabException e)
        {
            stderr.WriteLine($"note: the misclassified-images grid is left out: {e.Message}");
            return null;
        }
    }
}
