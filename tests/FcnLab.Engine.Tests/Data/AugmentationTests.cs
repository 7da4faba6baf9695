using FcnLab.Engine.Data;
using FcnLab.Engine.Random;

namespace FcnLab.Engine.Tests.Data;

public class AugmentationTests
{
    // A 1x3x4 image: pixel (r, q) = 10 r + q.
    private static readonly float[] Image = [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23];

    [Theory]
    [InlineData(0, 0, false, new float[] { 0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23 })]
    [InlineData(1, 0, false, new float[] { -1, -1, -1, -1, 0, 1, 2, 3, 10, 11, 12, 13 })]
    [InlineData(0, -2, false, new float[] { 2, 3, -1, -1, 12, 13, -1, -1, 22, 23, -1, -1 })]
    [InlineData(0, 0, true, new float[] { 3, 2, 1, 0, 13, 12, 11, 10, 23, 22, 21, 20 })]
    [InlineData(-1, 1, true, new float[] { 12, 11, 10, -1, 22, 21, 20, -1, -1, -1, -1, -1 })]
    public void Shift_MovesMirrorsAndFillsTheBorder(int dy, int dx, bool mirror, float[] expected)
    {
        var output = new float[12];
        Augmentation.Shift(Image, output, [1, 3, 4], dy, dx, mirror, fill: -1);
        Assert.Equal(expected, output);
    }

    [Fact]
    public void Apply_DrawsThreeNumbersPerImage_SoASeedFixesTheImages()
    {
        var a = new float[12];
        var b = new float[12];
        var rng = new Rng(3);
        Augmentation.Apply(Image, a, [1, 3, 4], -1, rng);
        var replay = new Rng(3);
        int dy = replay.NextInt(5) - 2, dx = replay.NextInt(5) - 2;
        bool mirror = replay.NextInt(2) == 1;
        Augmentation.Shift(Image, b, [1, 3, 4], dy, dx, mirror, -1);
        Assert.Equal(b, a);
        Assert.Equal(replay.GetState(), rng.GetState());
    }
}
