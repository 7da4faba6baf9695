using System.Globalization;
using FcnLab.Engine.Data;
using FcnLab.Engine.Optim;
using FcnLab.Engine.Tests.Data;
using FcnLab.Engine.Training;

namespace FcnLab.Engine.Tests.Training;

/// <summary>steps.csv: one row per training step, consistent with metrics.csv; recording a step allocates nothing.</summary>
public class StepLogTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fcnlab-steps-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }

    [Fact]
    public void StepsCsv_HasEveryStep_AndItsBatchWeightedMeanIsTheEpochsTrainLoss()
    {
        // 400 images, 10% validation: 360 rows, 12 steps of 32, the last one 8.
        var data = DatasetCatalog.Load(new DataOptions("tiny", IdxTestFiles.WriteDataset(Path.Combine(_root, "data"), 400, 100, 8, 8, 4, seed: 11)));
        var config = new TrainConfig
        {
            Hidden = [16], Epochs = 3, BatchSize = 32, Threads = 2,
            Optimizer = new OptimizerConfig { Kind = OptimizerKind.Sgd, Lr = 0.1 },
            Schedule = new ScheduleConfig { Kind = ScheduleKind.Step, StepSize = 1, Gamma = 0.5 },
        };
        string run = Path.Combine(_root, "run");
        var result = Trainer.Run(config, data, run, NullObserver.Instance);

        var lines = File.ReadAllLines(Path.Combine(run, "steps.csv"));
        Assert.Equal("epoch,step,loss,lr", lines[0]);
        Assert.Equal(1 + 3 * 12, lines.Length);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        for (int e = 0; e < 3; e++)
        {
            var epoch = rows[(e * 12)..((e + 1) * 12)];
            Assert.Equal(Enumerable.Range(1, 12).Select(s => $"{e + 1},{s}"), epoch.Select(r => $"{r[0]},{r[1]}"));
            double weighted = 0;
            for (int s = 0; s < 12; s++) weighted += double.Parse(epoch[s][2], CultureInfo.InvariantCulture) * (s < 11 ? 32 : 8);
            Assert.Equal(result.Epochs[e].TrainLoss, weighted / 360, 12);
            Assert.All(epoch, r => Assert.Equal(result.Epochs[e].Lr, double.Parse(r[3], CultureInfo.InvariantCulture)));
        }
        Assert.Equal([0.1, 0.05, 0.025], result.Epochs.Select(m => m.Lr));
    }

    [Fact]
    public void Record_AllocatesNothing()
    {
        var log = new StepLog();
        log.BeginEpoch(1, 1000);
        int step = 0;
        log.Record(++step, 1.0, 0.1);
        Assert.Equal(0, Allocations.Measure(() => { for (int i = 0; i < 100; i++) log.Record(++step, 0.5 + i, 0.1); }));
    }
}
