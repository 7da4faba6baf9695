using FcnLab.Engine.Training;
using System.Text.RegularExpressions;
using FcnLab.Lab.Reports;
using FcnLab.Lab.Store;
using static FcnLab.Lab.Tests.Reports.ReportTestData;

namespace FcnLab.Lab.Tests.Reports;

public class ReportWriterTests
{
    private static readonly string[] AllIds =
        ["train_loss", "val_accuracy", "val_loss", "best_loss_accuracy", "best_train_vs_val_loss", "best_confusion", "best_misclassified"];

    [Fact]
    public void Writes_the_table_every_plot_and_the_page()
    {
        using var dir = new TempDir();
        var written = ReportWriter.Write(Sample(), dir.Path, Images());

        Assert.Equal(AllIds, ReportWriter.PlotIds);
        string[] expected = ["table.md", "table.csv", .. AllIds.Select(id => id + ".svg"), "report.html"];
        Assert.Equal(expected.Select(dir.File), written);
        Assert.Equal(expected.Order(), Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
        foreach (string id in AllIds) SvgAssert.Valid(File.ReadAllText(dir.File(id + ".svg")));

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

        foreach (string id in AllIds)
        {
            var figure = Regex.Match(html, $"<figure class=\"plot\" id=\"{id}\">\n(<svg .*?</svg>)", RegexOptions.Singleline);
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
        Assert.Equal(["report.html", "table.csv", "table.md", "train_loss.svg", "val_accuracy.svg", "val_loss.svg"],
            Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
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
}
