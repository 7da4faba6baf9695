using System.Text.Json;

namespace FcnLab.Cli.Tests;

public class BenchCommandTests
{
    [Fact]
    public void Bench_Json_ReportsPeakProductsAndEpochTimes()
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
    }
}
