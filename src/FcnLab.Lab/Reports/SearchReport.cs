using System.Globalization;
using System.Text;
using FcnLab.Engine;
using FcnLab.Engine.Training;
using FcnLab.Lab.Reports.Charts;
using FcnLab.Lab.Search;
using FcnLab.Lab.Store;
using FcnLab.Lab.Sweeps;

namespace FcnLab.Lab.Reports;

/// <summary>
/// What a search's report adds to a sweep's (issue 16): the best objective so far against trial number and
/// against epochs spent, every trial's objective curve (pruned trials grey), each searched setting against the
/// objective (slice plots), the settings' importance (<see cref="ParameterImportance"/>), the best trial as a
/// `fcnlab train` command line and as a spec that retrains it over seeds, and every trial as CSV. A pure
/// function of the results and the spec. The best trial is chosen on the objective (a validation metric),
/// never on test accuracy.
/// </summary>
public sealed record SearchReport(
    string Summary, IReadOnlyList<ReportPlot> Plots, IReadOnlyList<ParameterImportanceEntry> Importance,
    string? BestCommandLine, string? BestSpecYaml, string Csv)
{
    public const string History = "search_history", Compute = "search_compute", Curves = "search_curves", ImportanceId = "search_importance";
    public const string CompareId = "search_compare";
    public const string SlicePrefix = "search_slice_";
    public const string CommandFile = "best_trial_command.txt", SpecFile = "best_trial.yaml", CsvFile = "search.csv";

    /// <summary>How many seeds the best trial's spec retrains it with.</summary>
    public const int RecipeRepeats = 3;

    /// <param name="compareWith">Other searches of the same objective whose best-so-far against epochs spent is drawn beside this one's (<see cref="CompareId"/>), e.g. the same space without a pruner.</param>
    public static SearchReport Build(SweepResults results, SweepSpec spec, IReadOnlyList<(SweepResults Results, SweepSpec Spec)>? compareWith = null)
    {
        var search = spec.Search ?? throw new ArgumentException($"Sweep '{spec.Name}' is a grid, not a search.", nameof(spec));
        var objective = search.Objective;
        bool accuracy = objective == SearchObjective.ValAccuracy;
        double scale = accuracy ? 100 : 1;
        string metric = accuracy ? "Validation accuracy (%)" : "Validation loss";

        var trials = results.Trials.Select(t => (Result: t, Trial: new TrialHistory(t.Trial, t.Epochs).ToSearchTrial(objective, PointOrNull(search.Space, t))))
            .OrderBy(t => t.Trial.Number).ToList();
        var searchTrials = trials.Select(t => t.Trial).ToList();
        var best = SearchProgress.Best(searchTrials, objective);
        var progress = SearchProgress.BestSoFar(searchTrials, objective);

        var plots = new List<ReportPlot>
        {
            new(History, $"Best {objective.Metric} of the completed trials so far, by trial number (pruned trials never count as best).",
                LineChart.Render($"Best {objective.Metric} so far", "Trial", metric,
                    [new Series("best so far", [.. progress.Select(p => new ChartPoint(p.Trial, p.Best * scale))])])),
            new(Compute, "Best objective so far against the epochs trained by every trial up to it, pruned trials' epochs included: what the search's compute bought.",
                LineChart.Render($"Best {objective.Metric} against epochs spent", "Epochs trained (all trials)", metric,
                    [new Series("best so far", [.. progress.Select(p => new ChartPoint(p.Epochs, p.Best * scale))])])),
        };

        if (compareWith is { Count: > 0 })
        {
            var series = new List<Series> { new($"{spec.Name} ({PrunerText(search.Pruner)})", [.. progress.Select(p => new ChartPoint(p.Epochs, p.Best * scale))]) };
            foreach (var (otherResults, otherSpec) in compareWith)
            {
                var other = otherSpec.Search ?? throw new FcnLabException($"Sweep '{otherSpec.Name}' is a grid, not a search: only searches compare by best value against epochs spent.");
                if (other.Objective != objective)
                    throw new FcnLabException($"Search '{otherSpec.Name}' optimizes {other.Objective.Metric}, '{spec.Name}' {objective.Metric}: compare searches of one objective.");
                var otherProgress = SearchProgress.BestSoFar(otherResults.Trials.Select(t => new TrialHistory(t.Trial, t.Epochs).ToSearchTrial(objective, null)), objective);
                series.Add(new Series($"{otherSpec.Name} ({PrunerText(other.Pruner)})", [.. otherProgress.Select(p => new ChartPoint(p.Epochs, p.Best * scale))]));
            }
            plots.Add(new(CompareId, "Best objective so far against the epochs trained by every trial up to it (pruned trials' epochs counted), for this search and the ones it is compared with: what each search's compute bought.",
                LineChart.Render($"Best {objective.Metric} against epochs spent", "Epochs trained (all trials)", metric, series)));
        }

        var curves = trials.Where(t => t.Trial.State is SearchTrialState.Completed or SearchTrialState.Pruned)
            .Select(t => (Points: (IReadOnlyList<ChartPoint>)[.. t.Trial.EpochValues.Select((v, i) => new ChartPoint(i + 1, v * scale))], t.Trial.State == SearchTrialState.Pruned, t.Trial.Number))
            .ToList();
        int? bestCurve = best == null ? null : curves.FindIndex(c => c.Number == best.Number);
        plots.Add(new(Curves, $"{objective.Metric} after each epoch of every completed trial, pruned trials grey (stopped where their line ends), the best trial in red.",
            TrialCurvesChart.Render($"{objective.Metric} per epoch, every trial", "Epoch", metric,
                [.. curves.Select(c => (c.Points, c.Item2))], bestCurve is >= 0 ? bestCurve : null, best == null ? "" : $"best (trial {best.Number})")));

        var completed = trials.Where(t => t.Trial.State == SearchTrialState.Completed && t.Trial.Point != null && t.Trial.Value is double v && double.IsFinite(v))
            .Select(t => (t.Trial.Point!, t.Trial.Value!.Value)).ToList();
        var importance = ParameterImportance.Compute(search.Space, completed);
        plots.Add(new(ImportanceId, $"Setting importance: {ParameterImportance.Method}. Needs {ParameterImportance.MinTrials} completed trials; random sampling reads fairest.",
            BarChart.Render("Setting importance", [.. importance.Select(e => (e.Name, e.Share))])));

        for (int p = 0; p < search.Space.Count; p++)
        {
            var parameter = search.Space.Parameters[p];
            var (xLabel, x) = SliceAxis(parameter);
            ScatterGroup Group(string label, SearchTrialState state, bool muted) => new(label,
                [.. trials.Where(t => t.Trial.State == state && t.Trial.Point != null && t.Trial.EpochValues.Count > 0)
                    .Select(t => new ChartPoint(x(t.Trial.Point!.Values[p]), (t.Trial.Value ?? t.Trial.EpochValues[^1]) * scale))], muted);
            plots.Add(new(SliceId(parameter.Name), $"{parameter.Name} ({parameter.Describe()}) against {objective.Metric}: completed trials in color, pruned trials (their last epoch's value) grey.",
                ScatterChart.Render($"{objective.Metric} against {parameter.Name}", xLabel, metric,
                    [Group("completed", SearchTrialState.Completed, false), Group("pruned (last epoch)", SearchTrialState.Pruned, true)])));
        }

        string? command = null, yaml = null;
        if (best?.Point is { } point)
        {
            long seed = trials.First(t => t.Trial.Number == best.Number).Result.Trial.Definition.Seed;
            command = TrainCommandLine.From(SweepGrid.Resolve(spec, point.ToSettings(), seed));
            yaml = SearchRecipe.ToSpecYaml($"{spec.Name}-best", $"Trial {best.Number} of search '{spec.Name}' ({point}), trained again from scratch over {RecipeRepeats} seeds.",
                (int)spec.BaseSeed, spec.Base, point, RecipeRepeats);
        }
        return new SearchReport(Summarize(search, trials, best), plots, importance, command, yaml, ToCsv(search, trials));
    }

    /// <summary>"search_slice_hidden-width": the parameter's name with anything but letters and digits as '-'.</summary>
    public static string SliceId(string parameter) =>
        SlicePrefix + new string([.. parameter.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]);

    private static (string Label, Func<double, double> X) SliceAxis(SearchParameter parameter) => parameter.Kind switch
    {
        DistributionKind.Choice => ($"{parameter.Name}: {string.Join(", ", parameter.Choices.Select((c, i) => $"{i} = {c}"))}", v => v),
        _ when parameter.IsLog => ($"log10({parameter.Name})", Math.Log10),
        _ => (parameter.Name, v => v),
    };

    private static SearchPoint? PointOrNull(SearchSpace space, TrialResult t)
    {
        try { return space.ParsePoint(t.Trial.Definition.Point); }
        catch (FcnLabException) { return null; } // a trial of an older space under this name: drawn without its settings
    }

    private static string Summarize(SearchSpec search, List<(TrialResult Result, SearchTrial Trial)> trials, SearchTrial? best)
    {
        var sb = new StringBuilder();
        var I = CultureInfo.InvariantCulture;
        int Count(SearchTrialState s) => trials.Count(t => t.Trial.State == s);
        long epochs = trials.Sum(t => (long)t.Trial.EpochValues.Count);
        sb.Append(I, $"{search.Method.ToString().ToLowerInvariant()} search over {search.Space.Count} settings, {trials.Count} of {search.Trials} trials: ");
        sb.Append(I, $"{Count(SearchTrialState.Completed)} completed, {Count(SearchTrialState.Pruned)} pruned ({PrunerText(search.Pruner)}), ");
        sb.Append(I, $"{Count(SearchTrialState.Failed)} failed or diverged, {Count(SearchTrialState.Running)} not final; {epochs} epochs trained in all. ");
        if (best == null) sb.Append("No trial has completed yet.");
        else
        {
            var result = trials.First(t => t.Trial.Number == best.Number).Result;
            sb.Append(I, $"Best {search.Objective.Metric}: {Format(search.Objective, best.Value!.Value)} at trial {best.Number} ({best.Point}).");
            if (SweepTable.SummaryOf(result)?.TestAccuracy is double test)
                sb.Append(I, $" Its test accuracy, measured once and never used to choose: {test * 100:F2}%.");
        }
        return sb.ToString();
    }

    private static string PrunerText(PrunerSpec pruner) => pruner.Kind switch
    {
        PrunerKind.Median => string.Create(CultureInfo.InvariantCulture, $"median pruner, {pruner.StartupTrials} startup trials"),
        PrunerKind.Asha => string.Create(CultureInfo.InvariantCulture, $"ASHA, min {pruner.MinEpochs} epochs, reduction factor {pruner.ReductionFactor}"),
        _ => "no pruner",
    };

    private static string Format(SearchObjective objective, double v) =>
        objective == SearchObjective.ValAccuracy ? (v * 100).ToString("F2", CultureInfo.InvariantCulture) + "%" : v.ToString("G5", CultureInfo.InvariantCulture);

    private static string ToCsv(SearchSpec search, List<(TrialResult Result, SearchTrial Trial)> trials)
    {
        var I = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("trial,run_id,status,objective,epochs,test_accuracy");
        foreach (var p in search.Space.Parameters) sb.Append(',').Append(SweepTable.CsvField(p.Name));
        sb.Append('\n');
        foreach (var (result, trial) in trials)
        {
            var summary = SweepTable.SummaryOf(result);
            sb.Append(I, $"{trial.Number},{result.Trial.RunId},{result.Trial.Status.ToText()},");
            sb.Append(trial.Value is double v ? v.ToString("R", I) : "").Append(',');
            sb.Append(I, $"{trial.EpochValues.Count},");
            sb.Append(summary?.TestAccuracy is double t ? t.ToString("R", I) : "");
            var texts = result.Trial.Definition.Point.ToDictionary(kv => kv.Key, kv => kv.Value);
            foreach (var p in search.Space.Parameters)
                sb.Append(',').Append(texts.TryGetValue(p.Name, out var text) ? SweepTable.CsvField(text) : "");
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
