using FcnLab.Engine.Training;
using System.Globalization;
using FcnLab.Lab.Reports;
using FcnLab.Lab.Store;
using static FcnLab.Lab.Tests.Reports.ReportTestData;

namespace FcnLab.Lab.Tests.Reports;

public class SweepTableTests
{
    private static readonly SweepTable Table = SweepTable.Build(Sample());

    private static IReadOnlyList<string> CellsOf(string optimizer, string lr) =>
        Table.Cells(Table.Rows.Single(r => r.Setting("optimizer") == optimizer && r.Setting("lr") == lr));

    [Fact]
    public void Repeats_of_one_point_form_one_row_in_grid_order()
    {
        Assert.Equal(["optimizer", "lr"], Table.Settings);
        Assert.Equal(["adam", "sgd", "sgd", "rmsprop", "rmsprop"], Table.Rows.Select(r => r.Setting("optimizer")));
        Assert.Equal(["0.001", "0.1", "0.01", "0.001", "0.01"], Table.Rows.Select(r => r.Setting("lr")));
        Assert.Equal([3, 2, 2, 2, 1], Table.Rows.Select(r => r.Total));
        Assert.Equal(["optimizer", "lr", "Test Acc.", "Starting Val. Acc.", "Highest Val. Acc. (epoch)", "Lowest Train Loss (epoch)", "Runs"], Table.Headers());
    }

    [Fact]
    public void Repeats_give_mean_and_sample_std()
    {
        // Test 88/89/90%: mean 89, sample std sqrt((1 + 0 + 1) / 2) = 1. Start 80/82/84: 82 ± 2.
        // Highest 90/91/92 at epochs 10/12/13 (mean 11.67); lowest loss 0.1/0.2/0.3 at 18/19/20.
        Assert.Equal(["adam", "0.001", "89.00 ± 1.00%", "82.00 ± 2.00%", "91.00 ± 1.00% (11.7)", "0.2000 ± 0.1000 (19)", "3 / 3"],
            CellsOf("adam", "0.001"));
        var row = Table.Rows[0];
        Assert.Equal(0.89, row.TestAccuracy!.Mean, 12);
        Assert.Equal(0.01, row.TestAccuracy.Std!.Value, 12);
        Assert.Equal(3, row.TestAccuracy.Count);
        Assert.Equal(35.0 / 3, row.BestValEpoch!.Mean, 12);
    }

    [Fact]
    public void A_single_completed_run_shows_its_value_and_the_failed_repeat_is_counted()
    {
        Assert.Equal(["sgd", "0.01", "85.00%", "70.00%", "86.00% (4)", "0.3500 (5)", "1 / 2 (1 failed)"], CellsOf("sgd", "0.01"));
        Assert.Null(Table.Rows[2].TestAccuracy!.Std);
    }

    [Fact]
    public void All_diverged_shows_the_epoch()
    {
        Assert.Equal(["sgd", "0.1", "diverged (epoch 3)", "—", "—", "—", "0 / 2 (2 diverged)"], CellsOf("sgd", "0.1"));

        var point = Point("sgd", "1");
        var results = new SweepResults("s", ["optimizer", "lr"],
        [
            Trial(1, point, 0, RunStatus.Diverged, Summary(RunStatus.Diverged, divergedEpoch: 3)),
            Trial(2, point, 1, RunStatus.Diverged, Summary(RunStatus.Diverged, divergedEpoch: 2)),
        ]);
        var table = SweepTable.Build(results);
        Assert.Equal("diverged (epochs 2, 3)", table.Cells(table.Rows[0])[2]);
        Assert.Null(table.Best);
    }

    [Fact]
    public void Unfinished_and_failed_rows_say_so()
    {
        Assert.Equal("running", CellsOf("rmsprop", "0.001")[2]);
        Assert.Equal("0 / 2 (1 running, 1 pending)", CellsOf("rmsprop", "0.001")[6]);
        Assert.Equal("pending", CellsOf("rmsprop", "0.01")[2]);
        Assert.Equal("0 / 1 (1 pending)", CellsOf("rmsprop", "0.01")[6]);

        var point = Point("adam", "9");
        var failed = SweepTable.Build(new SweepResults("s", ["optimizer", "lr"],
            [Trial(1, point, 0, RunStatus.Failed, error: "boom"), Trial(2, point, 1, RunStatus.Failed, error: "boom")]));
        Assert.Equal("failed", failed.Cells(failed.Rows[0])[2]);
        Assert.Equal("0 / 2 (2 failed)", failed.Cells(failed.Rows[0])[6]);
    }

    [Fact]
    public void The_row_with_the_highest_mean_test_accuracy_is_marked_best()
    {
        Assert.Equal([true, false, false, false, false], Table.Rows.Select(r => r.IsBest));
        Assert.Same(Table.Rows[0], Table.Best);

        var lines = Table.ToMarkdown().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2 + 5, lines.Length);
        Assert.StartsWith("| optimizer | lr | Test Acc. | Starting Val. Acc. |", lines[0]);
        Assert.EndsWith("| Runs | Best |", lines[0]);
        var bestLines = lines.Where(l => l.Contains("**best**")).ToList();
        Assert.Single(bestLines);
        Assert.StartsWith("| adam | 0.001 | 89.00 ± 1.00% |", bestLines[0]);
        Assert.All(lines, l => Assert.Equal(lines[0].Count(c => c == '|'), l.Count(c => c == '|')));

        var html = Table.ToHtml();
        Assert.Single(html.Split("<tr class=\"best\">").Skip(1));
    }

    [Fact]
    public void Csv_parses_back_with_raw_numbers()
    {
        var rows = CsvTestParser.Parse(Table.ToCsv());
        Assert.Equal(6, rows.Count);
        var header = rows[0];
        Assert.Equal(["optimizer", "lr", .. SweepTable.CsvMetricColumns], header);
        Assert.All(rows, r => Assert.Equal(header.Count, r.Count));
        string Get(int row, string column) => rows[row][header.IndexOf(column)];
        double Num(int row, string column) => double.Parse(Get(row, column), CultureInfo.InvariantCulture);

        Assert.Equal(0.89, Num(1, "test_acc_frac_mean"), 12);
        Assert.Equal(0.01, Num(1, "test_acc_frac_std"), 12);
        Assert.Equal(0.82, Num(1, "start_val_acc_frac_mean"), 12);
        Assert.Equal(35.0 / 3, Num(1, "best_val_epoch_mean"), 12);
        Assert.Equal(0.2, Num(1, "lowest_train_loss_mean"), 12);
        Assert.Equal("3", Get(1, "runs_completed"));
        Assert.Equal(["true", "false", "false", "false", "false"], rows.Skip(1).Select(r => r[header.IndexOf("best")]));
        Assert.Equal("3", Get(2, "diverged_epochs"));
        Assert.Equal("2", Get(2, "runs_diverged"));
        Assert.Equal("", Get(2, "test_acc_frac_mean"));
        Assert.Equal("", Get(3, "test_acc_frac_std")); // one run: no sample std
        Assert.Equal("1", Get(3, "runs_failed"));
    }

    [Fact]
    public void Settings_with_commas_quotes_and_pipes_survive_csv_and_markdown()
    {
        KeyValuePair<string, string>[] point = [new("hidden", "1200,2000,800"), new("note", "a \"b\" | c")];
        var results = new SweepResults("s", ["hidden", "note"],
            [Trial(1, point, 0, RunStatus.Completed, Summary(RunStatus.Completed, 0.5, 0.4, 0.5, 1, 1.0, 1))]);
        var table = SweepTable.Build(results);
        var rows = CsvTestParser.Parse(table.ToCsv());
        Assert.Equal("1200,2000,800", rows[1][0]);
        Assert.Equal("a \"b\" | c", rows[1][1]);
        Assert.Contains("| 1200,2000,800 | a \"b\" \\| c |", table.ToMarkdown());
        Assert.Contains("a &quot;b&quot; | c", table.ToHtml());
    }

    [Fact]
    public void Stat_is_mean_and_sample_std_of_finite_values()
    {
        var s = Stat.Of([2, 4, 4, 4, 5, 5, 7, 9, null, double.NaN])!;
        Assert.Equal(5, s.Mean, 12);
        Assert.Equal(Math.Sqrt(32.0 / 7), s.Std!.Value, 12);
        Assert.Equal(8, s.Count);
        Assert.Null(Stat.Of([null, double.PositiveInfinity]));
        Assert.Null(Stat.Of([3.0])!.Std);
    }
}
