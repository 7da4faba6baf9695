using System.Text.Json;

namespace FcnLab.Cli.Tests;

public class BenchCommandTests
{
    [Fact]
    public void Bench_Json_ReportsPeakProductsConvolutionsAndEpochTimes()
    {
        using var cli = new CliHarness(train: 120, test: 20, size: 28, classes: 10);
        var (code, output, err) = cli.Run("bench", "--threads", "2", "--epochs", "2", "--data", cli.DataDir, "--json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        var products = doc.RootElement.GetProperty("products");
        Assert.Equal(2, products.GetArrayLength());
        foreach (var p in products.EnumerateArray())
        {
            Assert.True(p.GetProperty("fma_peak_gflops").GetDouble() > 0);
            // 4 layers x 3 products, less the first layer's input gradient.
            Assert.Equal(11, p.GetProperty("by_layer").GetArrayLength());
            Assert.True(p.GetProperty("total_gflops").GetDouble() > 0);
        }
        var epochs = doc.RootElement.GetProperty("seconds_per_epoch");
        Assert.Equal(2, epochs.GetProperty("default").GetProperty("epochs").GetArrayLength());
        Assert.Equal(2, epochs.GetProperty("bn-adam").GetProperty("epochs").GetArrayLength());
        Assert.Equal(2, epochs.GetProperty("lenet5").GetProperty("epochs").GetArrayLength());
        Assert.Equal(2, epochs.GetProperty("cnn").GetProperty("epochs").GetArrayLength());
        var convolutions = doc.RootElement.GetProperty("convolutions");
        Assert.Equal(2, convolutions.GetArrayLength());
        foreach (var c in convolutions.EnumerateArray())
        {
            // --arch cnn: two Conv2d layers, each a forward and a backward (the first without input gradient).
            var passes = c.GetProperty("by_layer").EnumerateArray().Select(p => (p.GetProperty("layer").GetInt32(), p.GetProperty("pass").GetString())).ToArray();
            Assert.Equal([(1, "forward"), (1, "backward (weight gradient only)"), (5, "forward"), (5, "backward")], passes);
            Assert.All(c.GetProperty("by_layer").EnumerateArray(), p => Assert.True(p.GetProperty("gflops").GetDouble() > 0));
        }
    }
}
