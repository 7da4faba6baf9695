using FcnLab.Engine.Data;

namespace FcnLab.Engine.Tests.Data;

public class CsvReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string content, string name = "data.csv")
    {
        string path = _dir.File(name);
        File.WriteAllText(path, content);
        return path;
    }

    private static void AssertFails(Action read, string path, params string[] fragments)
    {
        var e = Assert.Throws<FcnLabException>(read);
        Assert.Contains(path, e.Message);
        foreach (string f in fragments) Assert.Contains(f, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Valid_NoHeader_SquareShape()
    {
        string path = Write("1,0,10,20,255\n0,1,2,3,4\r\n\n");
        var (set, shape) = CsvReader.Read(path);
        Assert.Equal([1, 2, 2], shape);
        Assert.Equal(2, set.Count);
        Assert.Equal(4, set.Features);
        Assert.Equal([1, 0], set.Labels);
        Assert.Equal([0f, 10, 20, 255, 1, 2, 3, 4], set.Pixels);
    }

    [Fact]
    public void Header_SkippedOnlyWhenFirstFieldIsNotNumeric()
    {
        var (set, _) = CsvReader.Read(Write("label,pixel1,pixel2,pixel3,pixel4\n2,0,0,0,12.5\n"));
        Assert.Equal([2], set.Labels);
        Assert.Equal(12.5f, set.Pixels[3]);

        // A numeric first line is data, so its pixel names would be an error rather than a silent skip.
        string path = Write("0,pixel1,pixel2,pixel3,pixel4\n1,0,0,0,0\n");
        AssertFails(() => CsvReader.Read(path), path, "line 1", "column 2", "'pixel1'");
    }

    [Fact]
    public void ExplicitShape_AndNonSquareNeedsOne()
    {
        string path = Write("0,1,2,3,4,5,6\n1,6,5,4,3,2,1\n");
        AssertFails(() => CsvReader.Read(path), path, "6 pixels", "perfect square", "--image-shape");
        Assert.Equal([1, 2, 3], CsvReader.Read(path, [2, 3]).ImageShape);
        Assert.Equal([3, 1, 2], CsvReader.Read(path, [3, 1, 2]).ImageShape);
        AssertFails(() => CsvReader.Read(path, [2, 2]), path, "6 pixels", "holds 4");
    }

    [Fact]
    public void WrongColumnCount_NamesLineAndExpected()
    {
        string path = Write("label,a,b,c,d\n0,1,2,3,4\n1,1,2,3\n");
        AssertFails(() => CsvReader.Read(path), path, "line 3", "4 columns", "needs 5");
    }

    [Theory]
    [InlineData("0,1,2,x,4", "line 2", "column 4", "'x'")]
    [InlineData("0,1,2,,4", "line 2", "column 4", "empty")]
    [InlineData("cat,1,2,3,4", "line 2", "column 1", "'cat'")]
    [InlineData("1.5,1,2,3,4", "line 2", "column 1", "integer")]
    [InlineData("-1,1,2,3,4", "line 2", "column 1", "integer")]
    [InlineData("0,1,2,NaN,4", "line 2", "column 4", "not a number")]
    public void NonNumericOrBadLabel(string row, params string[] fragments)
    {
        string path = Write("label,a,b,c,d\n" + row + "\n");
        AssertFails(() => CsvReader.Read(path), path, fragments);
    }

    [Theory]
    [InlineData("256")]
    [InlineData("-1")]
    [InlineData("255.5")]
    [InlineData("1e3")]
    public void PixelOutOfRange(string value)
    {
        string path = Write($"0,1,2,3,4\n1,0,{value},0,0\n");
        AssertFails(() => CsvReader.Read(path), path, "line 2", "column 3", "outside [0, 255]");
    }

    [Fact]
    public void Classes_GivenMakesLargerLabelsAnError()
    {
        string path = Write("0,1\n3,2\n");
        Assert.Equal(4, CsvReader.Read(path).Set.ImpliedClasses());
        AssertFails(() => CsvReader.Read(path, classes: 3), path, "line 2", "label 3", "3 classes");
    }

    [Theory]
    [InlineData("1000000000")] // found by fuzzing (docs/fuzzing.md): the class count implied by the labels made a name per class
    [InlineData("2147483647")] // the largest label plus one overflowed to a negative class count
    [InlineData("10000")]
    public void LabelsBeyondTheClassLimit_AreRefused(string label)
    {
        string path = Write($"0,1\n{label},2\n");
        AssertFails(() => CsvReader.Read(path), path, "line 2", $"label {label}", "at most 9999");
        Assert.Equal(10000, CsvReader.Read(Write("0,1\n9999,2\n")).Set.ImpliedClasses());
    }

    [Theory]
    [InlineData("")]
    [InlineData("label,p1,p2,p3,p4\n")]
    [InlineData("\n\n")]
    public void NoRows(string content)
    {
        string path = Write(content);
        AssertFails(() => CsvReader.Read(path), path, "no data rows");
    }

    [Fact]
    public void LabelOnly_IsAnError()
    {
        string path = Write("0\n1\n");
        AssertFails(() => CsvReader.Read(path), path, "line 1", "at least one pixel");
    }

    [Fact]
    public void QuotedAndPaddedFields()
    {
        var (set, _) = CsvReader.Read(Write("\"label\",\"p1\"\n\"3\", 7 \n"));
        Assert.Equal([3], set.Labels);
        Assert.Equal([7f], set.Pixels);
    }
}
