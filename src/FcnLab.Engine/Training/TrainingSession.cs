using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using FcnLab.Engine.Data;
using FcnLab.Engine.IO;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Models;
using FcnLab.Engine.Optim;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Training;

/// <summary>
/// One training run in progress: the live network, optimizer, schedule and generators, and where the
/// run stands (epoch, step, running sums, metrics, early-stopping state). It starts fresh or from a
/// <see cref="Checkpoint"/>; <see cref="Capture"/> is the inverse of that restore, so a resumed run
/// goes on with exactly the bits an uninterrupted one would have.
/// </summary>
internal sealed class TrainingSession
{
    private const int EvalBatchSize = 1000;

    private readonly TrainConfig _config;
    private readonly ImageDataset _data;
    private readonly string _runDir;
    private readonly ITrainingObserver _observer;
    // One generator per purpose, so changing one use does not perturb the others.
    private readonly Rng _splitRng, _initRng, _shuffleRng, _dropoutRng, _augmentRng;
    private readonly int[] _trainIdx, _valIdx;
    private readonly DataFingerprint _fingerprint;
    private readonly ModelSpec _spec;
    private readonly Sequential _network;
    private readonly Normalization _normalization;
    private readonly Optimizer _optimizer;
    private readonly LrSchedule _schedule;
    private readonly StepRunner _stepper;
    private readonly string? _startedAt;
    private readonly List<ResumeRecord> _resumes;
    private readonly bool _resumed;

    // Where the run stands.
    private RunStatus _status = RunStatus.Running;
    private int _epochsDone;
    private bool _inEpoch; // epoch _epochsDone + 1 has started: its lr is set and its rows shuffled
    private int _step;     // steps done in that epoch
    private double _lossSum, _epochSeconds;
    private long _correctSum, _seen;
    private readonly int[] _order;
    private readonly List<EpochMetrics> _epochs = [];
    private StepLog _stepLog = new();
    private int? _divergedEpoch, _divergedStep;

    // Early stopping and --restore-best.
    private double _bestValLoss = double.PositiveInfinity;
    private int _sinceBest;
    private float[]? _bestWeights;
    private readonly List<float[]> _bestBuffers = [];

    /// <param name="from">null: a fresh run (initialize, or --init-from); else the checkpoint to go on from.</param>
    public TrainingSession(TrainConfig config, ImageDataset data, string runDir, ITrainingObserver observer, WorkerPool pool,
        Checkpoint? from, string? startedAt, List<ResumeRecord> resumes)
    {
        config.Validate();
        (_config, _data, _runDir, _observer, _startedAt, _resumes) = (config, data, runDir, observer, startedAt, resumes);
        _splitRng = Rng.ForPurpose(config.Seed, "split");
        _initRng = Rng.ForPurpose(config.Seed, "init");
        _shuffleRng = Rng.ForPurpose(config.Seed, "shuffle");
        _dropoutRng = Rng.ForPurpose(config.Seed, "dropout");
        _augmentRng = Rng.ForPurpose(config.Seed, "augment");

        // The split is redone on resume (same seed, same data: same rows); the fingerprint checks the data is the same.
        (_trainIdx, _valIdx) = ValSplit.Split(data.Train.Labels, ValSplit.Parse(config.ValSplit), config.Stratify, _splitRng);
        _fingerprint = Fingerprint(data, _trainIdx.Length, _valIdx.Length);
        _order = Enumerable.Range(0, _trainIdx.Length).ToArray();

        _spec = config.ToModelSpec(data.ImageShape, data.Classes);
        _network = NetworkBuilder.Build(_spec, pool, _dropoutRng);
        _optimizer = Optimizer.Create(config.Optimizer, _network.Parameters, pool);
        _schedule = LrSchedule.Create(config.Schedule, config.Optimizer.Lr, config.Epochs);
        _stepper = new StepRunner(_network, _optimizer, config.L2, config.ClipGradNorm);
        _resumed = from != null;
        _normalization = from == null ? InitializeFresh() : Restore(from);
    }

    /// <summary>Initial weights (or --init-from's) and the input normalization of a fresh run.</summary>
    private Normalization InitializeFresh()
    {
        if (_config.InitFrom == null)
        {
            NetworkBuilder.Initialize(_network, _spec, _config.Init, _config.InitStd, _initRng);
            return Normalization.Fit(_config.Normalize, _data.Train, _trainIdx);
        }
        var start = ModelFile.Load(_config.InitFrom);
        if (!start.Spec.SameArchitecture(_spec))
            throw new FcnLabException($"--init-from '{_config.InitFrom}' holds a {start.Spec.Describe()} model; this run builds {_spec.Describe()}. Give the same --arch (or --hidden, --activation and --batch-norm), or drop --init-from.");
        ModelFile.LoadInto(_network, start, _config.InitFrom);
        // Fine-tuning keeps the input scaling the model was trained with.
        return start.Normalization;
    }

    /// <summary>Trains from where the run stands to the end, writes the run directory and returns the result.</summary>
    /// <exception cref="OperationCanceledException">When <paramref name="cancel"/> fires: after the step in progress, once the checkpoint is saved.</exception>
    public TrainResult Train(CancellationToken cancel)
    {
        var trainX = _normalization.Apply(_data.Train, _trainIdx);
        var trainY = _trainIdx.Select(i => _data.Train.Labels[i]).ToArray();
        var valX = _valIdx.Length > 0 ? _normalization.Apply(_data.Train, _valIdx) : null;
        var valY = _valIdx.Select(i => _data.Train.Labels[i]).ToArray();

        int n = trainX.Rows, features = trainX.RowSize, batchSize = _config.BatchSize;
        // BatchNorm1d cannot normalize a batch of one: drop such a last batch (as drop_last would).
        int usable = _network.Layers.Any(l => l is BatchNorm1d) && n % batchSize == 1 ? n - 1 : n;
        int steps = (usable + batchSize - 1) / batchSize;
        _observer.RunStarted(new RunInfo(_network.Describe(), _network.Parameters.Count, n, _valIdx.Length, _data.Test.Count, steps, _data.Directory, _config.Threads,
            ModelSummary.Of(_network).Format()));
        if (_resumed && _resumes[^1] is var r)
            _observer.Note($"Resumed at epoch {r.Epoch}, step {r.Step} of {steps}; training to {r.Epochs} epochs.");

        AtomicFile.CreateDirectory(_runDir);
        RunDirectory.WriteConfig(_runDir, _config, _data, _trainIdx.Length, _valIdx.Length, _startedAt, _resumes);
        RunDirectory.WriteMetrics(_runDir, _epochs); // from the start, so an interrupted first epoch leaves a header
        if (_resumed)
        {
            _stepLog = StepLog.Resume(_runDir, _epochsDone, _inEpoch, _inEpoch ? _step : 0, steps, out string? note);
            if (note != null) _observer.Note(note);
        }
        _stepLog.Write(_runDir);

        var batchBuffer = new BatchBuffer(features);
        // What augmentation fills the uncovered border with: a black pixel, normalized as the data is.
        float black = (0f - _normalization.Mean) / _normalization.Std;
        var labelBuffer = new int[batchSize];
        while (_status == RunStatus.Running && _epochsDone < _config.Epochs)
        {
            int epoch = _epochsDone + 1;
            _observer.EpochStarted(epoch, _config.Epochs, steps);
            var clock = Stopwatch.StartNew();
            if (!_inEpoch)
            {
                _optimizer.Lr = _schedule.LrForEpoch(epoch);
                if (_config.Shuffle) _shuffleRng.Shuffle(_order);
                (_inEpoch, _step, _lossSum, _correctSum, _seen, _epochSeconds) = (true, 0, 0, 0, 0, 0);
                _stepLog.BeginEpoch(epoch, steps);
            }
            for (; _step < steps; _step++)
            {
                if (cancel.IsCancellationRequested)
                {
                    // Ctrl-C: the steps so far are kept in the checkpoint, then the run stops.
                    _epochSeconds += clock.Elapsed.TotalSeconds;
                    _stepLog.Write(_runDir); // before the checkpoint, so the log always reaches the checkpoint's position
                    Capture().Save(_runDir);
                    cancel.ThrowIfCancellationRequested();
                }
                int start = _step * batchSize, b = Math.Min(batchSize, usable - start);
                var x = batchBuffer.For(b);
                var xs = x.Span;
                var src = trainX.Span;
                for (int i = 0; i < b; i++)
                {
                    int row = _order[start + i];
                    if (_config.Augment) Augmentation.Apply(src.Slice(row * features, features), xs.Slice(i * features, features), _data.ImageShape, black, _augmentRng);
                    else src.Slice(row * features, features).CopyTo(xs.Slice(i * features, features));
                    labelBuffer[i] = trainY[row];
                }
                double loss = _stepper.Step(x, labelBuffer.AsSpan(0, b), out int correct);
                _stepLog.Record(_step + 1, loss, _optimizer.Lr);
                if (!double.IsFinite(loss))
                {
                    (_status, _divergedEpoch, _divergedStep) = (RunStatus.Diverged, epoch, _step + 1);
                    break;
                }
                _lossSum += loss * b;
                _correctSum += correct;
                _seen += b;
                _observer.StepCompleted(epoch, _step + 1, steps, _lossSum / _seen);
            }
            _epochSeconds += clock.Elapsed.TotalSeconds;
            if (_status == RunStatus.Diverged)
            {
                _observer.Note($"Diverged: the loss became NaN or infinite at epoch {_divergedEpoch}, step {_divergedStep}. Try a smaller --lr, --clip-grad-norm, or --batch-norm.");
                break;
            }
            EndEpoch(epoch, valX, valY);
            // The last epoch's checkpoint is written by Finish, after the outputs.
            if (_status == RunStatus.Running && _epochsDone < _config.Epochs)
            {
                Capture().Save(_runDir);
                cancel.ThrowIfCancellationRequested();
            }
        }
        if (_status == RunStatus.Running) _status = RunStatus.Completed;
        return Finish();
    }

    /// <summary>Validation, the metrics row, the schedule's and early stopping's epoch end.</summary>
    private void EndEpoch(int epoch, Tensor? valX, int[] valY)
    {
        double? valLoss = null, valAcc = null;
        if (valX != null)
        {
            var val = Evaluator.Evaluate(_network, valX, valY, _data.Classes, EvalBatchSize);
            (valLoss, valAcc) = (val.Loss, val.Accuracy);
        }
        var metrics = new EpochMetrics(epoch, _lossSum / _seen, (double)_correctSum / _seen, valLoss, valAcc, _optimizer.Lr, _epochSeconds);
        _epochs.Add(metrics);
        RunDirectory.WriteMetrics(_runDir, _epochs);
        _stepLog.Write(_runDir);
        _observer.EpochCompleted(metrics, _config.Epochs);
        _schedule.EpochEnded(epoch, valLoss);
        (_epochsDone, _inEpoch, _step) = (epoch, false, 0);

        if (valLoss is not { } vl) return;
        if (vl < _bestValLoss)
        {
            _bestValLoss = vl;
            _sinceBest = 0;
            if (_config.RestoresBest) SnapshotBest();
        }
        else if (_config.Patience is { } patience && ++_sinceBest >= patience)
        {
            _status = RunStatus.EarlyStopped;
            _observer.Note($"Early stop: no validation-loss improvement in {patience} epochs; best {_bestValLoss:F4}.");
        }
    }

    /// <summary>Tests (with the best weights under --restore-best), writes model, confusion, summary, and last the final checkpoint.</summary>
    private TrainResult Finish()
    {
        // The final checkpoint keeps the live weights (not the best ones restored below), so a completed
        // run can be trained further. It is written after the outputs: a run killed in between resumes
        // from the previous checkpoint and redoes its end.
        byte[] checkpoint = Capture().Serialize();
        EvalResult? test = null;
        var misclassified = new List<Misclassification>();
        if (_status != RunStatus.Diverged)
        {
            if (_config.RestoresBest && _bestWeights != null) RestoreBest();
            var testX = _normalization.Apply(_data.Test, Enumerable.Range(0, _data.Test.Count).ToArray());
            var testY = _data.Test.Labels;
            var predictions = new int[testY.Length];
            test = Evaluator.Evaluate(_network, testX, testY, _data.Classes, EvalBatchSize, predictions);
            for (int i = 0; i < predictions.Length; i++)
                if (predictions[i] != testY[i]) misclassified.Add(new Misclassification(i, testY[i], predictions[i]));
            ModelFile.Save(Path.Combine(_runDir, "model.fcnlab"), _spec, _normalization, _data.ClassNames, _network);
            RunDirectory.WriteConfusion(_runDir, test, _data.ClassNames);
        }
        var summary = Trainer.Summarize(_status, _epochs, test, _divergedEpoch, _divergedStep, _network.Parameters.Count);
        RunDirectory.WriteSummary(_runDir, summary);
        _stepLog.Write(_runDir); // a diverged run's log ends with the step that diverged
        AtomicFile.WriteAllBytes(Checkpoint.PathIn(_runDir), checkpoint);
        return new TrainResult(summary, _epochs, test, _data.ClassNames, misclassified);
    }

    private void SnapshotBest()
    {
        _bestWeights ??= new float[_network.Parameters.Count];
        _network.Parameters.Values.Span.CopyTo(_bestWeights);
        int i = 0;
        foreach (var (_, value) in _network.Buffers())
        {
            if (_bestBuffers.Count <= i) _bestBuffers.Add(new float[value.Length]);
            value.Span.CopyTo(_bestBuffers[i++]);
        }
    }

    private void RestoreBest()
    {
        _bestWeights!.CopyTo(_network.Parameters.Values.Span);
        int i = 0;
        foreach (var (_, value) in _network.Buffers()) _bestBuffers[i++].CopyTo(value.Span);
    }

    /// <summary>The whole state as a checkpoint; its tensors are views of the live buffers, so serialize it before training on.</summary>
    private Checkpoint Capture()
    {
        var tensors = new List<(string, ReadOnlyMemory<float>)> { ("parameters", _network.Parameters.Values.Memory) };
        foreach (var (name, value) in _network.Buffers()) tensors.Add(($"buffer/{name}", value.Memory));
        foreach (var (name, value) in _optimizer.State) tensors.Add(($"optimizer/{name}", value.Memory));
        if (_bestWeights != null)
        {
            tensors.Add(("best/parameters", _bestWeights));
            int i = 0;
            foreach (var (name, _) in _network.Buffers()) tensors.Add(($"best/buffer/{name}", _bestBuffers[i++]));
        }
        return new Checkpoint
        {
            Config = _config,
            Status = _status,
            EpochsDone = _epochsDone,
            InEpoch = _inEpoch,
            Step = _step,
            EpochLr = _optimizer.Lr,
            LossSum = _lossSum,
            CorrectSum = _correctSum,
            Seen = _seen,
            EpochSeconds = _epochSeconds,
            DivergedEpoch = _divergedEpoch,
            DivergedStep = _divergedStep,
            Normalization = _normalization,
            Data = _fingerprint,
            OptimizerSteps = _optimizer.StepCount,
            ScheduleState = _schedule.GetState(),
            SplitRng = _splitRng.GetState(),
            InitRng = _initRng.GetState(),
            ShuffleRng = _shuffleRng.GetState(),
            DropoutRng = _dropoutRng.GetState(),
            AugmentRng = _augmentRng.GetState(),
            BestValLoss = _bestValLoss,
            EpochsSinceBest = _sinceBest,
            Metrics = _epochs,
            Tensors = tensors,
            Order = _order,
            StartedAt = _startedAt,
            Resumes = _resumes,
        };
    }

    /// <summary>Puts a checkpoint's state into the freshly built session (the inverse of <see cref="Capture"/>); returns its normalization.</summary>
    private Normalization Restore(Checkpoint c)
    {
        string Mismatch(string what) => $"Cannot resume from the checkpoint in '{_runDir}': {what}.";
        if (!c.Data.Matches(_fingerprint))
            throw new FcnLabException(Mismatch($"it was trained on other data ({c.Data}) than the data set loaded now ({_fingerprint}). Resume with the data set of the original run (see data_dir in config.json)"));

        var tensors = new Dictionary<string, ReadOnlyMemory<float>>();
        foreach (var (name, values) in c.Tensors)
            if (!tensors.TryAdd(name, values)) throw new FcnLabException(Mismatch($"tensor '{name}' appears twice"));
        void Take(string name, Span<float> destination)
        {
            if (!tensors.Remove(name, out var values))
                throw new FcnLabException(Mismatch($"it has no tensor '{name}' (it was saved from a different network or optimizer)"));
            if (values.Length != destination.Length)
                throw new FcnLabException(Mismatch($"tensor '{name}' has {values.Length} values, this run needs {destination.Length}"));
            values.Span.CopyTo(destination);
        }
        Take("parameters", _network.Parameters.Values.Span);
        foreach (var (name, value) in _network.Buffers()) Take($"buffer/{name}", value.Span);
        foreach (var (name, value) in _optimizer.State) Take($"optimizer/{name}", value.Span);
        if (tensors.ContainsKey("best/parameters"))
        {
            _bestWeights = new float[_network.Parameters.Count];
            Take("best/parameters", _bestWeights);
            foreach (var (name, value) in _network.Buffers())
            {
                var buffer = new float[value.Length];
                Take($"best/buffer/{name}", buffer);
                _bestBuffers.Add(buffer);
            }
        }
        if (tensors.Count > 0) throw new FcnLabException(Mismatch($"it holds tensors this run does not have ({string.Join(", ", tensors.Keys)})"));

        // A row order that is not a permutation of the rows would read outside the data.
        var taken = new bool[_order.Length];
        bool permutation = c.Order.Length == _order.Length;
        foreach (int row in c.Order)
        {
            if (!permutation || (uint)row >= (uint)taken.Length || taken[row]) { permutation = false; break; }
            taken[row] = true;
        }
        if (!permutation) throw new FcnLabException(Mismatch("its row order is not a permutation of the training rows"));
        c.Order.CopyTo(_order, 0);

        _optimizer.StepCount = c.OptimizerSteps;
        _optimizer.Lr = c.EpochLr;
        _schedule.SetState(c.ScheduleState);
        _splitRng.SetState(c.SplitRng);
        _initRng.SetState(c.InitRng);
        _shuffleRng.SetState(c.ShuffleRng);
        _dropoutRng.SetState(c.DropoutRng);
        if (c.AugmentRng != null) _augmentRng.SetState(c.AugmentRng);

        if (c.EpochsDone < 0 || c.EpochsDone != c.Metrics.Count || c.Step < 0 || (!c.InEpoch && c.Step != 0))
            throw new FcnLabException(Mismatch($"its position (epoch {c.EpochsDone}, step {c.Step}, {c.Metrics.Count} epochs of metrics) is inconsistent"));
        // Trainer.Resume has refused the statuses that cannot go on (diverged, early-stopped, complete).
        _status = RunStatus.Running;
        (_epochsDone, _inEpoch, _step) = (c.EpochsDone, c.InEpoch, c.Step);
        (_lossSum, _correctSum, _seen, _epochSeconds) = (c.LossSum, c.CorrectSum, c.Seen, c.EpochSeconds);
        (_divergedEpoch, _divergedStep) = (c.DivergedEpoch, c.DivergedStep);
        _epochs.AddRange(c.Metrics);
        (_bestValLoss, _sinceBest) = (c.BestValLoss, c.EpochsSinceBest);
        return c.Normalization;
    }

    /// <summary>What the checkpoint records of the data, so a resume on other data is refused rather than silently mixed.</summary>
    private static DataFingerprint Fingerprint(ImageDataset data, int trainCount, int valCount)
    {
        // The labels only: hashing every pixel of FashionMNIST would cost a noticeable fraction of a second per run.
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(MemoryMarshal.AsBytes(data.Train.Labels.AsSpan()));
        sha.AppendData(MemoryMarshal.AsBytes(data.Test.Labels.AsSpan()));
        return new DataFingerprint((int[])data.ImageShape.Clone(), data.Classes, trainCount, valCount, data.Test.Count, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }
}
