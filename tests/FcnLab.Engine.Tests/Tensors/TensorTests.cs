using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Tests.Tensors;

public class TensorTests
{
    [Fact]
    public void SizeOf_MultipliesTheDimensions()
    {
        Assert.Equal(512 * 1200, Tensor.SizeOf([512, 1200]));
        Assert.Equal(0, Tensor.SizeOf([4, 0, 1_000_000_000, 1_000_000_000]));
        Assert.Equal(int.MaxValue, Tensor.SizeOf([int.MaxValue]));
    }

    [Theory]
    // A batch of a wide convolution's outputs: what `train --arch "conv(100000,3) ..."` at batch 512 asked for.
    [InlineData(new[] { 512, 100000, 26, 26 })]
    [InlineData(new[] { 65536, 32768 })]
    // Products that would wrap a 64-bit count back below 2^31 if multiplied on.
    [InlineData(new[] { int.MaxValue, int.MaxValue, int.MaxValue, 2 })]
    public void SizeOf_BeyondWhatATensorHolds_IsAClearError(int[] shape)
    {
        var e = Assert.Throws<FcnLabException>(() => Tensor.SizeOf(shape));
        Assert.Contains($"A tensor of shape [{string.Join(", ", shape)}] would hold more than the 2,147,483,647 values", e.Message);
        Assert.Contains("use a smaller --batch-size, or narrower layers", e.Message);
    }
}
