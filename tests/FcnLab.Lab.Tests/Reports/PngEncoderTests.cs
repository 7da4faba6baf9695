using System.Text;
using FcnLab.Engine;
using FcnLab.Engine.Data;
using FcnLab.Lab.Reports.Charts;

namespace FcnLab.Lab.Tests.Reports;

public class PngEncoderTests
{
    [Fact]
    public void Crc32_matches_the_standard_check_values()
    {
        Assert.Equal(0xCBF43926u, PngCrc32.Compute(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0xAE426082u, PngCrc32.Compute(Encoding.ASCII.GetBytes("IEND"))); // every PNG's last four bytes
        Assert.Equal(0u, PngCrc32.Compute([]));
    }

    [Fact]
    public void Gray_image_round_trips()
    {
        var pixels = Enumerable.Range(0, 7 * 3).Select(i => (byte)(i * 12)).ToArray();
        var png = PngTestDecoder.Decode(PngEncoder.Encode(pixels, 7, 3, 1));
        Assert.Equal((7, 3, 0), (png.Width, png.Height, png.ColorType));
        Assert.Equal(pixels, png.Samples);
    }

    [Fact]
    public void Rgb_image_round_trips_and_one_pixel_works()
    {
        var pixels = Enumerable.Range(0, 5 * 4 * 3).Select(i => (byte)(255 - i)).ToArray();
        var png = PngTestDecoder.Decode(PngEncoder.Encode(pixels, 5, 4, 3));
        Assert.Equal((5, 4, 2), (png.Width, png.Height, png.ColorType));
        Assert.Equal(pixels, png.Samples);
        Assert.Equal([(byte)9], PngTestDecoder.Decode(PngEncoder.Encode([9], 1, 1, 1)).Samples);
    }

    [Fact]
    public void Same_pixels_same_bytes_and_bad_sizes_are_errors()
    {
        var pixels = new byte[28 * 28];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i % 251);
        Assert.Equal(PngEncoder.Encode(pixels, 28, 28, 1), PngEncoder.Encode(pixels, 28, 28, 1));
        Assert.Throws<FcnLabException>(() => PngEncoder.Encode(pixels, 28, 27, 1));
        Assert.Throws<FcnLabException>(() => PngEncoder.Encode(pixels, 28, 28, 2));
        Assert.Throws<FcnLabException>(() => PngEncoder.Encode([], 0, 0, 1));
    }

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
