using FcnLab.Engine.Tests.Data;
using Xunit.Sdk;

namespace FcnLab.Engine.Tests.Frozen;

/// <summary>The frozen fixtures' normalization and comparison: what they leave out, what they keep, and how a difference reads.</summary>
public class FrozenFixtureTests
{
    [Fact]
    public void Json_LeavesOutTheNamedPaths_AndKeepsNumbersAsWritten()
    {
        const string json = """{"a": 0.10000000149011612, "host": "x", "list": [1, 2.50], "resumes": [{"epoch": 3, "at": "now"}], "summary": {"train_seconds": 1.5, "f": 1E-08}}""";
        string normalized = FrozenFixture.Json(json, "host", "resumes[].at", "summary.train_seconds");
        Assert.Equal("""
            {
              "a": 0.10000000149011612,
              "list": [1, 2.50],
              "resumes": [
                {
                  "epoch": 3
                }
              ],
              "summary": {
                "f": 1E-08
              }
            }

            """.ReplaceLineEndings("\n"), normalized);
        // Only whitespace between tokens is free: a number written otherwise is a difference.
        Assert.Equal(normalized, FrozenFixture.Json(json.Replace(", ", ",\n  ", StringComparison.Ordinal), "host", "resumes[].at", "summary.train_seconds"));
        Assert.NotEqual(normalized, FrozenFixture.Json(json.Replace("2.50", "2.5", StringComparison.Ordinal), "host", "resumes[].at", "summary.train_seconds"));
    }

    [Fact]
    public void CsvWithout_DropsTheColumnByItsHeader()
    {
        Assert.Equal("epoch,lr\n1,0.1\n2,0.05\n", FrozenFixture.CsvWithout("epoch,seconds,lr\n1,0.31,0.1\n2,0.29,0.05\n", "seconds"));
        Assert.Throws<XunitException>(() => FrozenFixture.CsvWithout("epoch,lr\n1,0.1\n", "seconds"));
    }

    [Fact]
    public void Diff_ShowsTheChangedLinesWithTheirNumbersAndContext()
    {
        string recorded = string.Concat(Enumerable.Range(1, 20).Select(i => $"line {i}\n"));
        string now = recorded.Replace("line 10\n", "line ten\n", StringComparison.Ordinal);
        string diff = FrozenFixture.Diff(recorded, now);
        Assert.Contains("-   10: line 10", diff);
        Assert.Contains("+   10: line ten", diff);
        Assert.Contains("     8: line 8", diff);
        Assert.DoesNotContain("line 3\n", diff);
        Assert.Equal("", FrozenFixture.Diff(recorded, recorded).Trim('\n', ' ', '.'));
    }

    [Fact]
    public void Check_ReportsEveryDifferingAndMissingFile_WithADiff()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, "same.txt"), "a\nb\n");
        File.WriteAllText(Path.Combine(dir.Path, "changed.txt"), "a\nb\nc\n");
        (string, string)[] files = [("same.txt", "a\nb\n"), ("changed.txt", "a\nB\nc\n"), ("missing.txt", "x\n")];
        if (FrozenFixture.Writing)
        {
            // Recording: the files are written as given.
            FrozenFixture.Check(dir.Path, files);
            Assert.Equal("a\nB\nc\n", File.ReadAllText(Path.Combine(dir.Path, "changed.txt")));
            return;
        }
        var e = Assert.Throws<XunitException>(() => FrozenFixture.Check(dir.Path, files));
        Assert.Contains("=== changed.txt differs", e.Message);
        Assert.Contains("-    2: b", e.Message);
        Assert.Contains("+    2: B", e.Message);
        Assert.Contains("=== missing.txt: the fixture file", e.Message);
        Assert.DoesNotContain("same.txt", e.Message);
        FrozenFixture.Check(dir.Path, "same.txt", "a\nb\n");
    }
}
