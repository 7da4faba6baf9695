using FcnLab.Engine.Random;

namespace FcnLab.Engine.Tests.Random;

public class RngTests
{
    /// <summary>The bulk fill is the one-at-a-time stream: same values, same state after (so dropout masks, checkpoints and resumes are unchanged).</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1000)]
    public void NextFloats_IsNextFloatCalledThatManyTimes(int count)
    {
        var one = new Rng(42);
        var bulk = new Rng(42);
        one.NextUInt64();
        bulk.NextUInt64();
        var expected = new float[count];
        for (int i = 0; i < count; i++) expected[i] = one.NextFloat();
        var actual = new float[count];
        bulk.NextFloats(actual);
        Assert.Equal(expected, actual);
        Assert.Equal(one.NextUInt64(), bulk.NextUInt64());
        Assert.All(actual, u => Assert.InRange(u, 0f, MathF.BitDecrement(1f)));
    }
}
