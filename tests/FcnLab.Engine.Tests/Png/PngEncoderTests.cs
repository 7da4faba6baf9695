using FcnLab.Engine.Png;

namespace FcnLab.Engine.Tests.Png;

public class PngEncoderTests
{
    [Fact]
    public void Gray_image_round_trips()
    {
        var pixels = Enumerable.Range(0, 7 * 3).Select(i => (byte)(i * 12)).ToArray();
        byte[] encoded = PngEncoder.Encode(pixels, 7, 3, 1);
        var png = PngTestFiles.Read(encoded);
        Assert.Equal((7, 3, 0), (png.Width, png.Height, png.ColorType));
        Assert.Equal(pixels, png.Samples);
        // And through the codec's own decoder: gray samples come back exactly.
        var decoded = PngDecoder.Decode(encoded, "gray.png");
        Assert.Equal((7, 3), (decoded.Width, decoded.Height));
        Assert.Equal(pixels.Select(v => (float)v), decoded.Pixels);
    }

    [Fact]
    public void Rgb_image_round_trips_and_one_pixel_works()
    {
        var pixels = Enumerable.Range(0, 5 * 4 * 3).Select(i => (byte)(255 - i)).ToArray();
        byte[] encoded = PngEncoder.Encode(pixels, 5, 4, 3);
        var png = PngTestFiles.Read(encoded);
        Assert.Equal((5, 4, 2), (png.Width, png.Height, png.ColorType));
        Assert.Equal(pixels, png.Samples);
        Assert.Equal([(byte)9], PngTestFiles.Read(PngEncoder.Encode([9], 1, 1, 1)).Samples);
        // The codec's own decoder reads RGB as luma (BT.601).
        var decoded = PngDecoder.Decode(encoded, "rgb.png");
        for (int p = 0; p < 5 * 4; p++)
            Assert.Equal(0.299 * pixels[3 * p] + 0.587 * pixels[3 * p + 1] + 0.114 * pixels[3 * p + 2], decoded.Pixels[p], 3);
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
}
