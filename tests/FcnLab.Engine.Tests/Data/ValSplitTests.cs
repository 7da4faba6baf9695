using FcnLab.Engine.Data;
using FcnLab.Engine.Random;

namespace FcnLab.Engine.Tests.Data;

public class ValSplitTests
{
    private static int[] Labels(int n, int classes) => [.. Enumerable.Range(0, n).Select(i => i % classes)];

    [Theory]
    [InlineData("0", null, null)]
    [InlineData("0.1", 0.1, null)]
    [InlineData(" 0.25 ", 0.25, null)]
    [InlineData("10%", 0.1, null)]
    [InlineData("5000", null, 5000)]
    [InlineData("1", null, 1)]
    [InlineData("1e3", null, 1000)]
    public void Parse_Valid(string text, double? fraction, int? count)
    {
        var split = ValSplit.Parse(text);
        Assert.Equal(fraction, split.Fraction);
        Assert.Equal(count, split.Count);
        Assert.Equal(fraction is null && count is null, split.IsNone);
    }

    [Theory]
    [InlineData("-0.1")]
    [InlineData("1.5")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("NaN")]
    [InlineData("100%")]
    [InlineData("1e20")]
    public void Parse_Invalid_SaysWhatIsAllowed(string text)
    {
        var e = Assert.Throws<FcnLabException>(() => ValSplit.Parse(text));
        Assert.Contains("fraction in (0, 1)", e.Message);
        Assert.Contains("0 for no validation split", e.Message);
    }

    [Theory]
    [InlineData("1.0")]
    [InlineData("1.00")]
    [InlineData("1e0")]
    public void Parse_TheFractionOne_IsRefused_WhileOneIsACount(string text)
    {
        var e = Assert.Throws<FcnLabException>(() => ValSplit.Parse(text));
        Assert.Contains("the whole training set, leaving nothing to train on", e.Message);
        Assert.Equal(1, ValSplit.Parse("1").Count);
    }

    [Theory]
    [InlineData("0.1", 1000, 100)]
    [InlineData("0.15", 10, 2)]   // 1.5 rounds away from zero
    [InlineData("0.01", 10, 1)]   // at least one image
    [InlineData("300", 1000, 300)]
    [InlineData("0", 1000, 0)]
    public void Sizes(string text, int n, int expectedVal)
    {
        var (train, val) = ValSplit.Split(Labels(n, 3), ValSplit.Parse(text), stratify: false, new Rng(1), ValFrom.Random);
        Assert.Equal(expectedVal, val.Length);
        Assert.Equal(n - expectedVal, train.Length);
    }

    [Theory]
    [InlineData("1000", 1000)]
    [InlineData("5000", 1000)]
    [InlineData("0.99", 10)]
    public void TooLarge_IsAnError(string text, int n)
    {
        var e = Assert.Throws<FcnLabException>(() => ValSplit.Split(Labels(n, 2), ValSplit.Parse(text), false, new Rng(1), ValFrom.Random));
        Assert.Contains("--val-split", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DisjointCompleteSortedAndDeterministic(bool stratify)
    {
        var labels = Labels(997, 7);
        var split = ValSplit.Parse("0.2");
        var (train, val) = ValSplit.Split(labels, split, stratify, new Rng(42), ValFrom.Random);

        Assert.Equal(Enumerable.Range(0, 997), train.Concat(val).Order());
        Assert.Equal(train.Order(), train);
        Assert.Equal(val.Order(), val);

        var again = ValSplit.Split(labels, split, stratify, new Rng(42), ValFrom.Random);
        Assert.Equal(train, again.Train);
        Assert.Equal(val, again.Val);

        var other = ValSplit.Split(labels, split, stratify, new Rng(43), ValFrom.Random);
        Assert.NotEqual(val, other.Val);
    }

    [Fact]
    public void Stratified_KeepsClassProportions()
    {
        // Unbalanced classes: 600 / 300 / 100.
        int[] labels = [.. Enumerable.Repeat(0, 600), .. Enumerable.Repeat(1, 300), .. Enumerable.Repeat(2, 100)];
        new Rng(5).Shuffle(labels);

        var (_, val) = ValSplit.Split(labels, ValSplit.Parse("0.1"), stratify: true, new Rng(9), ValFrom.Random);
        var perClass = val.GroupBy(i => labels[i]).OrderBy(g => g.Key).Select(g => g.Count()).ToArray();
        Assert.Equal([60, 30, 10], perClass);

        // A count whose proportional shares are fractional still sums exactly.
        var (train, val7) = ValSplit.Split(labels, ValSplit.Parse("7"), stratify: true, new Rng(9), ValFrom.Random);
        Assert.Equal(7, val7.Length);
        Assert.Equal(993, train.Length);
        var shares = val7.GroupBy(i => labels[i]).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(4, shares[0]); // 4.2 -> 4, 2.1 -> 2, 0.7 -> 1 (largest remainder)
        Assert.Equal(2, shares[1]);
        Assert.Equal(1, shares[2]);
    }

    [Fact]
    public void None_KeepsEverythingForTraining()
    {
        var (train, val) = ValSplit.Split(Labels(5, 2), ValSplit.None, true, new Rng(1), ValFrom.Random);
        Assert.Equal([0, 1, 2, 3, 4], train);
        Assert.Empty(val);
    }

    [Fact]
    public void FromLast_TakesTheLastImagesUnshuffled_AsKerasValidationSplit()
    {
        // Keras: split_at = floor(n * (1 - validation_split)); the validation data is x[split_at:], before any shuffling.
        foreach (var (n, fraction) in new[] { (60000, 0.1), (100, 0.25), (7, 0.3), (1000, 0.333) })
        {
            int splitAt = (int)Math.Floor(n * (1.0 - fraction));
            var (train, val) = ValSplit.Split(Labels(n, 3), ValSplit.OfFraction(fraction), stratify: false, new Rng(1), ValFrom.Last);
            Assert.Equal(Enumerable.Range(0, splitAt), train);
            Assert.Equal(Enumerable.Range(splitAt, n - splitAt), val);
        }
        // A count: an ordered first-N / last-N split (Wang's 55,000 / 5,000), whatever the seed.
        var (first, last) = ValSplit.Split(Labels(600, 10), ValSplit.Parse("50"), false, new Rng(5), ValFrom.Last);
        Assert.Equal(Enumerable.Range(0, 550), first);
        Assert.Equal(Enumerable.Range(550, 50), last);
        Assert.Equal(last, ValSplit.Split(Labels(600, 10), ValSplit.Parse("50"), false, new Rng(6), ValFrom.Last).Val);
        Assert.Contains("give one or the other",
            Assert.Throws<FcnLabException>(() => ValSplit.Split(Labels(10, 2), ValSplit.Parse("2"), true, new Rng(1), ValFrom.Last)).Message);
        Assert.Empty(ValSplit.Split(Labels(10, 2), ValSplit.None, false, new Rng(1), ValFrom.Last).Val);
    }

    [Fact]
    public void ValFrom_IsASettingRefusedWithStratify_AndLeavesConfigsWithoutItAlone()
    {
        var config = FcnLab.Engine.Training.TrainSettings.Apply(new FcnLab.Engine.Training.TrainConfig(), [new("val-from", "last"), new("val-split", "5000")]);
        Assert.Equal(ValFrom.Last, config.ValFrom);
        config.Validate();
        Assert.Contains(new KeyValuePair<string, string>("val-from", "last"), FcnLab.Engine.Training.TrainSettings.ToSettings(config));
        Assert.Contains("give one or the other",
            Assert.Throws<FcnLabException>(() => (config with { Stratify = true }).Validate()).Message);
        Assert.True(FcnLab.Engine.Training.TrainConfig.Settings.Single(s => s.Name == "val-from").Later);
        Assert.Contains("val-from",
            Assert.Throws<FcnLabException>(() => FcnLab.Engine.Training.TrainSettings.Apply(new FcnLab.Engine.Training.TrainConfig(), [new("val-from", "first")])).Message);
    }
}
