using FcnLab.Engine.Training;
using System.Text.RegularExpressions;
using FcnLab.Lab.Reports;
using FcnLab.Lab.Store;
using static FcnLab.Lab.Tests.Reports.ReportTestData;

namespace FcnLab.Lab.Tests.Reports;

public class ReportWriterTests
{
    private static readonly string[] AllIds =
        ["train_loss", "val_accuracy", "val_loss", "train_val_loss", "train_val_accuracy", "parallel",
         "best_loss_accuracy", "best_train_vs_val_loss", "best_confusion", "best_misclassified"];

    /// <summary>The sample's five configurations each get a panel.</summary>
    private static readonly string[] Panels = ["panel_1", "panel_2", "panel_3", "panel_4", "panel_5"];

    [Fact]
    public void Writes_the_table_every_plot_and_the_page()
    {
        using var dir = new TempDir();
        var written = ReportWriter.Write(Sample(), dir.Path, Images());

        Assert.Equal(AllIds, ReportWriter.PlotIds);
        string[] expected = ["table.md", "table.csv", .. AllIds[..6].Select(id => id + ".svg"), .. Panels.Select(id => id + ".svg"), .. AllIds[6..].Select(id => id + ".svg"), "report.html"];
        Assert.Equal(expected.Select(dir.File), written);
        Assert.Equal(expected.Order(), Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
        foreach (string id in AllIds.Concat(Panels)) SvgAssert.Valid(File.ReadAllText(dir.File(id + ".svg")));

        string md = File.ReadAllText(dir.File("table.md"));
        Assert.StartsWith("# optimizers\n\n| optimizer | lr | Test Acc.", md);
        Assert.Contains("| adam | 0.001 | 89.00 ± 1.00% |", md);
        Assert.Equal(6, CsvTestParser.Parse(File.ReadAllText(dir.File("table.csv"))).Count);
    }

    [Fact]
    public void The_page_is_self_contained_and_holds_every_plot()
    {
        using var dir = new TempDir();
        ReportWriter.Write(Sample(), dir.Path, Images());
        string html = File.ReadAllText(dir.File("report.html"));

        foreach (string id in AllIds.Concat(Panels))
        {
            var figure = Regex.Match(html, $"<figure class=\"plot\" id=\"{id}\"[^>]*>\n(<svg .*?</svg>)", RegexOptions.Singleline);
            Assert.True(figure.Success, $"no figure {id}");
            Assert.Equal(File.ReadAllText(dir.File(id + ".svg")).TrimEnd(), figure.Groups[1].Value);
        }
        Assert.Contains("<table class=\"sweep\">", html);
        Assert.Contains("<tr class=\"best\"><td>adam</td><td>0.001</td><td class=\"num\">89.00 ± 1.00%</td>", html);
        Assert.Contains("run 10 (optimizer=adam, lr=0.001, repeat 2, seed 3): test accuracy 90.00%", html);
        Assert.Contains("Trouser &amp; &lt;Co&gt;", html);
        Assert.Contains("10 trials at 5 grid points", html);
        // No external resource: the only URLs are XML namespace names; images are data URIs.
        string withoutNamespaces = html.Replace("http://www.w3.org/2000/svg", "").Replace("http://www.w3.org/1999/xlink", "");
        Assert.DoesNotContain("http:", withoutNamespaces);
        Assert.DoesNotContain("https:", withoutNamespaces);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotMatch("(src|href)=\"(?!data:)", html);
        Assert.DoesNotContain("NaN", html);
    }

    [Fact]
    public void Writing_twice_gives_identical_bytes()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        ReportWriter.Write(Sample(), a.Path, Images());
        ReportWriter.Write(Sample(), b.Path, Images());
        foreach (string file in Directory.GetFiles(a.Path))
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(b.File(Path.GetFileName(file))));
    }

    [Fact]
    public void Without_images_the_grid_is_left_out_with_a_note_and_a_stale_grid_removed()
    {
        using var dir = new TempDir();
        ReportWriter.Write(Sample(), dir.Path, Images());
        Assert.True(File.Exists(dir.File("best_misclassified.svg")));
        ReportWriter.Write(Sample(), dir.Path, images: null);
        Assert.False(File.Exists(dir.File("best_misclassified.svg")));
        string html = File.ReadAllText(dir.File("report.html"));
        Assert.DoesNotContain("id=\"best_misclassified\"", html);
        Assert.Contains("<p class=\"note\">No misclassified images: the test images were not given to the report.</p>", html);
        Assert.Contains("id=\"best_confusion\"", html);
    }

    [Fact]
    public void Without_a_completed_run_there_are_curves_but_no_best_run()
    {
        var point = Point("sgd", "1");
        var results = new SweepResults("unfinished", ["optimizer", "lr"],
        [
            Trial(1, point, 0, RunStatus.Diverged, Summary(RunStatus.Diverged, divergedEpoch: 1, epochs: 1),
                [new(1, double.NaN, 0.1, double.NaN, null, 1, 1)]),
            Trial(2, point, 1, RunStatus.Pending),
        ]);
        using var dir = new TempDir();
        ReportWriter.Write(results, dir.Path, Images());
        Assert.Equal(["panel_1.svg", "parallel.svg", "report.html", "table.csv", "table.md", "train_loss.svg", "train_val_accuracy.svg", "train_val_loss.svg", "val_accuracy.svg", "val_loss.svg"],
            Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
        Assert.Contains("no trial has a value of this metric yet", SvgAssert.Texts(SvgAssert.Valid(File.ReadAllText(dir.File("parallel.svg")))));
        string html = File.ReadAllText(dir.File("report.html"));
        Assert.Contains("No best-run plots: no run has completed with a test accuracy yet.", html);
        Assert.Contains("<td class=\"num\">pending</td>", html);
        Assert.Contains("0 / 2 (1 diverged, 1 pending)", html);
        Assert.DoesNotContain("NaN", html);
        Assert.Null(ReportWriter.BestRun(results));
    }

    [Fact]
    public void A_sweep_without_axes_has_one_row_labelled_by_the_sweep()
    {
        var results = new SweepResults("baseline", [],
        [
            Trial(1, [], 0, RunStatus.Completed, Summary(RunStatus.Completed, 0.8, 0.7, 0.8, 1, 0.5, 1, epochs: 1), Epochs(1)),
            Trial(2, [], 1, RunStatus.Completed, Summary(RunStatus.Completed, 0.9, 0.7, 0.8, 1, 0.5, 1, epochs: 1), Epochs(1)),
        ]);
        var table = SweepTable.Build(results);
        Assert.Single(table.Rows);
        Assert.Equal("85.00 ± 7.07%", table.Cells(table.Rows[0])[0]);
        using var dir = new TempDir();
        ReportWriter.Write(results, dir.Path, null);
        var doc = SvgAssert.Valid(File.ReadAllText(dir.File("train_loss.svg")));
        Assert.Contains("baseline", SvgAssert.Texts(doc));
        Assert.Equal(2, ReportWriter.BestRun(results)!.Trial.RunId);
    }

    [Fact]
    public void The_curves_of_repeated_configurations_have_std_bands_and_each_configuration_its_panel()
    {
        using var dir = new TempDir();
        ReportWriter.Write(Sample(), dir.Path, Images());
        // adam/0.001 has three repeats with different curves: its mean has a band.
        var curves = SvgAssert.Valid(File.ReadAllText(dir.File("train_loss.svg")));
        Assert.NotEmpty(curves.Descendants(SvgAssert.Svg + "polygon"));
        Assert.Contains("shaded band", File.ReadAllText(dir.File("report.html")));
        // Training and validation overlaid: two lines (and legend entries) per configuration.
        var overlaid = SvgAssert.Texts(SvgAssert.Valid(File.ReadAllText(dir.File("train_val_loss.svg"))));
        Assert.Contains("optimizer=adam, lr=0.001 train", overlaid);
        Assert.Contains("optimizer=adam, lr=0.001 val.", overlaid);
        // One panel per configuration, titled with its test accuracy (mean ± std over the completed repeats).
        var panel = SvgAssert.Texts(SvgAssert.Valid(File.ReadAllText(dir.File("panel_1.svg"))));
        Assert.Contains(panel, t => t.StartsWith("optimizer=adam, lr=0.001: test 89.00 ± 1.00%", StringComparison.Ordinal));
        Assert.Contains("validation", panel);
        // The panels are in their own section, after the learning curves and before the best run.
        string html = File.ReadAllText(dir.File("report.html"));
        Assert.True(html.IndexOf("<h2>Learning curves</h2>", StringComparison.Ordinal) < html.IndexOf("<h2>Configurations</h2>", StringComparison.Ordinal)
            && html.IndexOf("<h2>Configurations</h2>", StringComparison.Ordinal) < html.IndexOf("id=\"panel_5\"", StringComparison.Ordinal)
            && html.IndexOf("id=\"panel_5\"", StringComparison.Ordinal) < html.IndexOf("<h2>Best run</h2>", StringComparison.Ordinal));
    }

    [Fact]
    public void The_parallel_coordinates_draw_one_line_per_completed_trial_through_the_settings_that_vary()
    {
        using var dir = new TempDir();
        ReportWriter.Write(Sample(), dir.Path, Images());
        var doc = SvgAssert.Valid(File.ReadAllText(dir.File("parallel.svg")));
        var texts = SvgAssert.Texts(doc);
        Assert.Contains("optimizer", texts);
        Assert.Contains("lr", texts);
        Assert.Contains("Test accuracy (%)", texts);
        Assert.Contains("rmsprop", texts); // a category of the optimizer axis
        // adam/0.001 x 3 and sgd/0.01 x 1 completed: four lines of three points (optimizer, lr, metric).
        var lines = doc.Descendants(SvgAssert.Svg + "path").ToList();
        Assert.Equal(4, lines.Count);
        Assert.All(lines, l => Assert.Equal(3, l.Attribute("d")!.Value.Split(' ').Length));
        Assert.Contains("4 trials; 6 without a value not drawn", texts);
    }

    [Fact]
    public void A_sweep_of_a_thousand_trials_renders_with_every_configuration_in_the_table_and_48_panels()
    {
        var trials = new List<TrialResult>();
        for (int i = 0; i < 1000; i++)
        {
            var point = Point(i % 2 == 0 ? "adam" : "sgd", (0.0001 * (1 + i / 2)).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            trials.Add(Trial(i + 1, point, 0, RunStatus.Completed, Summary(RunStatus.Completed, 0.5 + i / 4000.0, 0.4, 0.6, 3, 0.3, 3, epochs: 3), Epochs(3, i / 1000.0)));
        }
        var results = new SweepResults("big", ["optimizer", "lr"], trials);
        using var dir = new TempDir();
        ReportWriter.Write(results, dir.Path, images: null);
        Assert.Equal(1001, File.ReadAllLines(dir.File("table.csv")).Length);
        Assert.True(File.Exists(dir.File("panel_48.svg")));
        Assert.False(File.Exists(dir.File("panel_49.svg")));
        var parallel = SvgAssert.Valid(File.ReadAllText(dir.File("parallel.svg")));
        Assert.Equal(1000, parallel.Descendants(SvgAssert.Svg + "path").Count());
        Assert.Contains("1000 trials", SvgAssert.Texts(parallel));
        var curves = SvgAssert.Valid(File.ReadAllText(dir.File("train_loss.svg")));
        Assert.Equal(1000, curves.Descendants(SvgAssert.Svg + "path").Count());
        Assert.Contains("… and 940 more (the table has every one)", SvgAssert.Texts(curves)); // the legend stops at 60 rows
        Assert.DoesNotContain("NaN", File.ReadAllText(dir.File("report.html")));
    }
}
