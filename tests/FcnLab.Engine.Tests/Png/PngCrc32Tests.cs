using System.Text;
using FcnLab.Engine.Png;

namespace FcnLab.Engine.Tests.Png;

public class PngCrc32Tests
{
    [Fact]
    public void Crc32_matches_the_standard_check_values()
    {
        Assert.Equal(0xCBF43926u, PngCrc32.Compute(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0xAE426082u, PngCrc32.Compute(Encoding.ASCII.GetBytes("IEND"))); // every PNG's last four bytes
        Assert.Equal(0u, PngCrc32.Compute([]));
    }

    [Fact]
    public void Crc32_MatchesTheCheckValueAndABitwiseCrc()
    {
        Assert.Equal(0xCBF43926u, PngCrc32.Compute("123456789"u8));
        var bytes = new byte[1000];
        new System.Random(3).NextBytes(bytes);
        Assert.Equal(PngTestFiles.Crc(bytes), PngCrc32.Compute(bytes));
    }
}
