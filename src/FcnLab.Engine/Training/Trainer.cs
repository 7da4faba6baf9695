using System.Diagnostics;
using FcnLab.Engine.Data;
using FcnLab.Engine.Init;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Models;
using FcnLab.Engine.Optim;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Training;

/// <summary>
/// Trains one network as a <see cref="TrainConfig"/> says: split and normalize the data (statistics
/// from the training split only), build and initialize the model, run the epochs with validation after
/// each, stop early or on divergence, test once at the end, and write the run directory.
/// </summary>
public sealed class Trainer
{
    private const int EvalBatchSize = 1000;

    public static TrainResult Run(TrainConfig config, ImageDataset data, string runDir, ITrainingObserver observer, CancellationToken cancel = default)
    {
        config.Validate();
        using var pool = new WorkerPool(config.Threads);
        var gemm = new Gemm(pool);

        // One generator per purpose, so changing one use does not perturb the others.
        var splitRng = Rng.ForPurpose(config.Seed, "split");
        var initRng = Rng.ForPurpose(config.Seed, "init");
        var shuffleRng = Rng.ForPurpose(config.Seed, "shuffle");
        var dropoutRng = Rng.ForPurpose(config.Seed, "dropout");

        var (trainIdx, valIdx) = ValSplit.Split(data.Train.Labels, ValSplit.Parse(config.ValSplit), config.Stratify, splitRng);
        var allTest = Enumerable.Range(0, data.Test.Count).ToArray();

        var spec = config.ToModelSpec(data.ImageShape, data.Classes);
        var network = NetworkBuilder.Build(spec, gemm, dropoutRng);
        Normalization normalization;
        if (config.InitFrom != null)
        {
            var start = ModelFile.Load(config.InitFrom);
            if (!SameArchitecture(start.Spec, spec))
                throw new FcnLabException($"--init-from '{config.InitFrom}' holds a {Describe(start.Spec)} model; this run builds {Describe(spec)}. Give the same --hidden, --activation and --batch-norm, or drop --init-from.");
            ModelFile.LoadInto(network, start, config.InitFrom);
            // Fine-tuning keeps the input scaling the model was trained with.
            normalization = start.Normalization;
        }
        else
        {
            NetworkBuilder.Initialize(network, spec, config.Init, config.InitStd, initRng);
            normalization = Normalization.Fit(config.Normalize, data.Train, trainIdx);
        }

        var trainX = normalization.Apply(data.Train, trainIdx);
        var trainY = trainIdx.Select(i => data.Train.Labels[i]).ToArray();
        var valX = valIdx.Length > 0 ? normalization.Apply(data.Train, valIdx) : null;
        var valY = valIdx.Select(i => data.Train.Labels[i]).ToArray();
        var testX = normalization.Apply(data.Test, allTest);
        var testY = data.Test.Labels;

        var optimizer = Optimizer.Create(config.Optimizer, network.Parameters, pool);
        var schedule = LrSchedule.Create(config.Schedule, config.Optimizer.Lr, config.Epochs);
        var stepper = new StepRunner(network, optimizer, config.L2, config.ClipGradNorm);

        int n = trainX.Rows, features = trainX.RowSize, batchSize = config.BatchSize;
        // Batch norm cannot normalize a batch of one: drop such a last batch (as drop_last would).
        int usable = config.BatchNorm && n % batchSize == 1 ? n - 1 : n;
        int steps = (usable + batchSize - 1) / batchSize;
        long parameterCount = network.Parameters.Count;
        observer.RunStarted(new RunInfo(network.Describe(), parameterCount, n, valIdx.Length, allTest.Length, steps, data.Directory, config.Threads));

        Directory.CreateDirectory(runDir);
        RunDirectory.WriteConfig(runDir, config, data, trainIdx.Length, valIdx.Length);

        var order = Enumerable.Range(0, n).ToArray();
        var batchBuffer = new BatchBuffer(features);
        var labelBuffer = new int[batchSize];
        var epochs = new List<EpochMetrics>();
        string status = RunStatus.Completed;
        int? divergedEpoch = null, divergedStep = null;
        double bestValLoss = double.PositiveInfinity;
        int sinceBest = 0;
        float[]? bestWeights = null;
        var bestBuffers = new List<float[]>();

        for (int epoch = 1; epoch <= config.Epochs; epoch++)
        {
            double lr = schedule.LrForEpoch(epoch);
            optimizer.Lr = lr;
            observer.EpochStarted(epoch, config.Epochs, steps);
            var clock = Stopwatch.StartNew();
            if (config.Shuffle) shuffleRng.Shuffle(order);
            double lossSum = 0;
            long correctSum = 0, seen = 0;
            for (int step = 0; step < steps; step++)
            {
                cancel.ThrowIfCancellationRequested();
                int start = step * batchSize, b = Math.Min(batchSize, usable - start);
                var x = batchBuffer.For(b);
                var xs = x.Span;
                var src = trainX.Span;
                for (int i = 0; i < b; i++)
                {
                    int row = order[start + i];
                    src.Slice(row * features, features).CopyTo(xs.Slice(i * features, features));
                    labelBuffer[i] = trainY[row];
                }
                double loss = stepper.Step(x, labelBuffer.AsSpan(0, b), out int correct);
                if (!double.IsFinite(loss))
                {
                    status = RunStatus.Diverged;
                    divergedEpoch = epoch;
                    divergedStep = step + 1;
                    break;
                }
                lossSum += loss * b;
                correctSum += correct;
                seen += b;
                observer.StepCompleted(epoch, step + 1, steps, lossSum / seen);
            }
            double seconds = clock.Elapsed.TotalSeconds;
            if (status == RunStatus.Diverged)
            {
                observer.Note($"Diverged: the loss became NaN or infinite at epoch {divergedEpoch}, step {divergedStep}. Try a smaller --lr, --clip-grad-norm, or --batch-norm.");
                break;
            }

            double? valLoss = null, valAcc = null;
            if (valX != null)
            {
                var val = Evaluator.Evaluate(network, valX, valY, data.Classes, EvalBatchSize);
                (valLoss, valAcc) = (val.Loss, val.Accuracy);
            }
            var metrics = new EpochMetrics(epoch, lossSum / seen, (double)correctSum / seen, valLoss, valAcc, lr, seconds);
            epochs.Add(metrics);
            RunDirectory.WriteMetrics(runDir, epochs);
            observer.EpochCompleted(metrics, config.Epochs);
            schedule.EpochEnded(epoch, valLoss);

            if (valLoss is { } vl)
            {
                if (vl < bestValLoss)
                {
                    bestValLoss = vl;
                    sinceBest = 0;
                    if (config.RestoresBest) Snapshot(network, ref bestWeights, bestBuffers);
                }
                else if (config.Patience is { } patience && ++sinceBest >= patience)
                {
                    status = RunStatus.EarlyStopped;
                    observer.Note($"Early stop: no validation-loss improvement in {patience} epochs; best {bestValLoss:F4}.");
                    break;
                }
            }
        }

        EvalResult? test = null;
        var misclassified = new List<Misclassification>();
        if (status != RunStatus.Diverged)
        {
            if (config.RestoresBest && bestWeights != null) Restore(network, bestWeights, bestBuffers);
            var predictions = new int[testY.Length];
            test = Evaluator.Evaluate(network, testX, testY, data.Classes, EvalBatchSize, predictions);
            for (int i = 0; i < predictions.Length; i++)
                if (predictions[i] != testY[i]) misclassified.Add(new Misclassification(i, testY[i], predictions[i]));
            ModelFile.Save(Path.Combine(runDir, "model.fcnlab"), spec, normalization, data.ClassNames, network);
            RunDirectory.WriteConfusion(runDir, test, data.ClassNames);
        }
        var summary = Summarize(status, epochs, test, divergedEpoch, divergedStep, parameterCount);
        RunDirectory.WriteSummary(runDir, summary);
        return new TrainResult(summary, epochs, test, data.ClassNames, misclassified);
    }

    private static bool SameArchitecture(ModelSpec a, ModelSpec b) =>
        a.InputShape.SequenceEqual(b.InputShape) && a.Classes == b.Classes && a.Hidden.SequenceEqual(b.Hidden)
        && a.Activation == b.Activation && a.BatchNorm == b.BatchNorm;

    private static string Describe(ModelSpec s) =>
        $"{s.InputFeatures}-{string.Join("-", s.Hidden.Append(s.Classes))} {Names.Activation(s.Activation)}{(s.BatchNorm ? " batch-norm" : "")}";

    private static void Snapshot(Sequential network, ref float[]? weights, List<float[]> buffers)
    {
        weights ??= new float[network.Parameters.Count];
        network.Parameters.Values.Span.CopyTo(weights);
        int i = 0;
        foreach (var (_, value) in network.Buffers())
        {
            if (buffers.Count <= i) buffers.Add(new float[value.Length]);
            value.Span.CopyTo(buffers[i++]);
        }
    }

    private static void Restore(Sequential network, float[] weights, List<float[]> buffers)
    {
        weights.CopyTo(network.Parameters.Values.Span);
        int i = 0;
        foreach (var (_, value) in network.Buffers()) buffers[i++].CopyTo(value.Span);
    }

    /// <summary>The summary as DESIGN.md's "Time" contract defines seconds_per_epoch: median of epochs 2+, or epoch 1 alone.</summary>
    public static RunSummary Summarize(string status, IReadOnlyList<EpochMetrics> epochs, EvalResult? test, int? divergedEpoch, int? divergedStep, long parameters)
    {
        EpochMetrics? bestVal = null, lowestTrain = null;
        foreach (var e in epochs)
        {
            if (e.ValAccuracy is { } acc && (bestVal == null || acc > bestVal.ValAccuracy)) bestVal = e;
            if (lowestTrain == null || e.TrainLoss < lowestTrain.TrainLoss) lowestTrain = e;
        }
        var timed = epochs.Count > 1 ? epochs.Skip(1).Select(e => e.Seconds).ToList() : epochs.Select(e => e.Seconds).ToList();
        return new RunSummary
        {
            Status = status,
            TestAccuracy = test?.Accuracy,
            TestLoss = test?.Loss,
            StartValAccuracy = epochs.Count > 0 ? epochs[0].ValAccuracy : null,
            BestValAccuracy = bestVal?.ValAccuracy,
            BestValEpoch = bestVal?.Epoch,
            LowestTrainLoss = lowestTrain?.TrainLoss,
            LowestTrainLossEpoch = lowestTrain?.Epoch,
            EpochsRun = epochs.Count + (divergedEpoch.HasValue ? 1 : 0),
            DivergedEpoch = divergedEpoch,
            DivergedStep = divergedStep,
            TrainSeconds = epochs.Sum(e => e.Seconds),
            SecondsPerEpoch = Median(timed),
            Parameters = parameters,
        };
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0) return 0;
        values.Sort();
        int m = values.Count / 2;
        return values.Count % 2 == 1 ? values[m] : (values[m - 1] + values[m]) / 2;
    }
}
