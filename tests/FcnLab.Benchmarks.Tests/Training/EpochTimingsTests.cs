using FcnLab.Benchmarks.Training;
using FcnLab.Engine;

namespace FcnLab.Benchmarks.Tests.Training;

public class EpochTimingsTests
{
    [Fact]
    public void Measure_TrainsThePresetAndReportsEveryEpoch()
    {
        var data = SyntheticData.Create(train: 200, test: 50);
        var t = EpochTimings.Measure("default", null, data, epochs: 2, threads: 1);
        Assert.Equal(("default", "(synthetic)", 1), (t.Network, t.Data, t.Threads));
        Assert.Equal(2, t.EpochSeconds.Count);
        Assert.Equal(t.EpochSeconds[1], t.SecondsPerEpoch); // the median of epochs 2 and later
    }

    [Fact]
    public void LoadData_FromAMissingDirectory_IsAnError_NotSyntheticData()
    {
        string missing = Path.Combine(Path.GetTempPath(), "fcnlab-no-such-" + Guid.NewGuid().ToString("N"));
        Assert.Throws<FcnLabException>(() => EpochTimings.LoadData(missing));
    }

    [Fact]
    public void SyntheticData_HasFashionMnistsShape_AndIsTheSameForTheSameSeed()
    {
        var a = SyntheticData.Create(train: 30, test: 10);
        Assert.Equal([1, 28, 28], a.ImageShape);
        Assert.Equal(10, a.Classes);
        Assert.Equal(a.Train.Pixels, SyntheticData.Create(train: 30, test: 10).Train.Pixels);
        Assert.All(a.Train.Pixels, v => Assert.InRange(v, 0f, 255f));
    }
}
