using FcnLab.Engine;

namespace FcnLab.Lab.Tests.Reports;

public class ReportImagesTests
{
    [Fact]
    public void Report_images_convert_channels_first_rgb_and_clamp()
    {
        // One 1x2 RGB image stored channels first: R plane, G plane, B plane.
        var set = new FcnLab.Engine.Data.ImageSet([10, 300, 20, -5, 30, 40.6f], [0], 6);
        var images = new FcnLab.Lab.Reports.ReportImages(set, [3, 1, 2], ["a"]);
        var (samples, channels) = images.Samples(0);
        Assert.Equal(3, channels);
        Assert.Equal(new byte[] { 10, 20, 30, 255, 0, 41 }, samples);
        Assert.Throws<FcnLabException>(() => new FcnLab.Lab.Reports.ReportImages(set, [2, 2, 2], ["a"]));
        Assert.Equal("a", images.ClassName(0));
        Assert.Equal("7", images.ClassName(7));
    }
}
