using FcnLab.Engine.Data;

namespace FcnLab.Engine.Tests.Data;

public class ImageSetTests
{
    [Fact]
    public void CountsMustAgree()
    {
        var e = Assert.Throws<FcnLabException>(() => new ImageSet(new float[7], [0, 1], 4));
        Assert.Contains("2 labels", e.Message);
        Assert.Throws<FcnLabException>(() => new ImageSet(new float[4], [0, -1], 2));
    }

    [Fact]
    public void Dataset_ChecksLabelsAgainstClasses()
    {
        var train = new ImageSet(new float[4], [0, 1], 2);
        var test = new ImageSet(new float[2], [3], 2);
        var e = Assert.Throws<FcnLabException>(() => new ImageDataset("d", "/x", [1, 1, 2], 2, ["a", "b"], train, test));
        Assert.Contains("label 3", e.Message);
        Assert.Contains("test", e.Message);

        var ok = new ImageDataset("d", "/x", [1, 1, 2], 4, ImageDataset.DefaultClassNames("d", 4), train, test);
        Assert.Equal(["0", "1", "2", "3"], ok.ClassNames);
        Assert.Throws<FcnLabException>(() => new ImageDataset("d", "/x", [1, 2, 2], 4, ok.ClassNames, train, test));
    }
}
