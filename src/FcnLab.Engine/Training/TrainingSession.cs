using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using FcnLab.Engine.Data;
using FcnLab.Engine.IO;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Losses;
using FcnLab.Engine.Models;
using FcnLab.Engine.Optim;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Training;

/// <summary>
/// One training run in progress: the live network, optimizer and schedule, and the run's
/// <see cref="TrainingState"/> (where it stands, its generators, early stopping, metrics), which the loop
/// updates in place. It starts fresh or from a <see cref="Checkpoint"/>; <see cref="Capture"/> saves the
/// state whole, so a resumed run goes on with exactly the bits an uninterrupted one would have had.
/// </summary>
internal sealed class TrainingSession
{
    private const int EvalBatchSize = 1000;

    private readonly TrainConfig _config;
    private readonly ImageDataset _data;
    private readonly string _runDir;
    private readonly ITrainingObserver _observer;
    private readonly TrainingState _state;
    private readonly int[] _trainIdx, _valIdx;
    private readonly DataFingerprint _fingerprint;
    private readonly ModelSpec _spec;
    private readonly Sequential _network;
    private readonly Normalization _normalization;
    private readonly Optimizer _optimizer;
    private readonly LrSchedule _schedule;
    private readonly StepRunner _stepper;
    private readonly bool _resumed;
    private readonly int _threads; // the pool's: what this process trains on
    private readonly int _usable, _steps; // training rows used per epoch, and the steps they make
    private StepLog _stepLog = new();
    private string? _pruneReason; // set when the pruner stopped the run at this epoch's end

    /// <param name="from">null: a fresh run (initialize, or --init-from); else the checkpoint to go on from, whose state the run takes over.</param>
    /// <param name="recordedIn">Where the run is recorded from now on (<see cref="TrainingState.RecordedIn"/>); null: as before.</param>
    public TrainingSession(TrainConfig config, ImageDataset data, string runDir, ITrainingObserver observer, WorkerPool pool, Checkpoint? from, string? recordedIn = null)
    {
        config.Validate();
        (_config, _data, _runDir, _observer, _threads) = (config, data, runDir, observer, pool.Threads);
        _resumed = from != null;
        _state = from?.State ?? TrainingState.Fresh(config.Seed, config.Optimizer.Lr, RunDirectory.Timestamp());
        if (recordedIn != null) _state.RecordedIn = recordedIn;
        _state.Generators.SeedMissing(config.Seed);

        // The split is redone on resume by a generator in its first state (same seed, same data: same
        // rows); the fingerprint checks the data is the same.
        var splitRng = _resumed ? RunGenerators.Seeded(config.Seed).Split : _state.Generators.Split;
        (_trainIdx, _valIdx) = ValSplit.Split(data.Train.Labels, ValSplit.Parse(config.ValSplit), config.Stratify, splitRng, config.ValFrom);
        _fingerprint = Fingerprint(data, _trainIdx.Length, _valIdx.Length);
        if (!_resumed) _state.Order = Enumerable.Range(0, _trainIdx.Length).ToArray();

        _spec = config.ToModelSpec(data.ImageShape, data.Classes);
        _network = NetworkBuilder.Build(_spec, pool, _state.Generators.Dropout);
        (_usable, _steps) = Steps(_trainIdx.Length, data.Train.Count, _valIdx.Length, config, _network);
        _optimizer = Optimizer.Create(config.Optimizer, _network.Parameters, pool);
        _schedule = LrSchedule.Create(config.Schedule, config.Optimizer.Lr, config.Epochs, _state.Schedule, config.WarmupEpochs);
        _stepper = new StepRunner(_network, _optimizer, pool, new SoftmaxCrossEntropy(config.LabelSmoothing), config.L2, config.ClipGradNorm);
        _normalization = from == null ? InitializeFresh() : Restore(from);
    }

    /// <summary>
    /// The training rows an epoch uses and the steps they make; refuses a run of zero steps (no training rows, or one
    /// row and batch norm), which would otherwise end `completed` with a NaN loss, before anything is written or recorded.
    /// </summary>
    private static (int Usable, int Steps) Steps(int n, int total, int held, TrainConfig config, Sequential network)
    {
        bool batchNorm = network.Layers.Any(l => l is BatchNorm1d);
        // BatchNorm1d cannot normalize a batch of one: drop such a last batch (as drop_last would).
        int usable = batchNorm && n % config.BatchSize == 1 ? n - 1 : n;
        if (usable > 0) return (usable, (usable + config.BatchSize - 1) / config.BatchSize);
        string split = held > 0 ? $" ({total} images, {held} held out by --val-split {config.ValSplit})" : "";
        throw new FcnLabException(n == 0
            ? $"The training split is empty{split}: training would run zero steps. Give a data set with training images, or a smaller --val-split."
            : $"The training split holds one image{split}, and batch norm cannot normalize a batch of one: training would run zero steps. Use more training images (a smaller --val-split), or a network without batch norm.");
    }

    /// <summary>Initial weights (or --init-from's) and the input normalization of a fresh run.</summary>
    private Normalization InitializeFresh()
    {
        if (_config.InitFrom == null)
        {
            NetworkBuilder.Initialize(_network, _spec, _config.Init, _config.InitStd, _state.Generators.Init);
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

        int n = trainX.Rows, features = trainX.RowSize, batchSize = _config.BatchSize, usable = _usable, steps = _steps;
        _observer.RunStarted(new RunInfo(_network.Describe(), _network.Parameters.Count, n, _valIdx.Length, _data.Test.Count, steps, _data.Directory, _threads,
            ModelSummary.Of(_network).Format()));
        var st = _state;
        if (_resumed && st.Resumes[^1] is var r)
            _observer.Note($"Resumed at epoch {r.Epoch}, step {r.Step} of {steps}; training to {r.Epochs} epochs.");

        AtomicFile.CreateDirectory(_runDir);
        RunDirectory.WriteConfig(_runDir, _config, _data, _trainIdx.Length, _valIdx.Length, st.StartedAt, st.Resumes);
        RunDirectory.WriteMetrics(_runDir, st.Metrics); // from the start, so an interrupted first epoch leaves a header
        if (_resumed)
        {
            _stepLog = StepLog.Resume(_runDir, st.EpochsDone, st.InEpoch, st.InEpoch ? st.Step : 0, steps, out string? note);
            if (note != null) _observer.Note(note);
        }
        _stepLog.Write(_runDir);

        var batchBuffer = new BatchBuffer(features);
        // What augmentation fills the uncovered border with: a black pixel, normalized as the data is.
        float black = (0f - _normalization.Mean) / _normalization.Std;
        var labelBuffer = new int[batchSize];
        var shuffleRng = st.Generators.Shuffle;
        var augmentRng = st.Generators.Augment;
        var augment = _config.Augmentations;
        while (st.Status == RunStatus.Running && st.EpochsDone < _config.Epochs)
        {
            int epoch = st.EpochsDone + 1;
            _observer.EpochStarted(epoch, _config.Epochs, steps);
            var clock = Stopwatch.StartNew();
            if (!st.InEpoch)
            {
                _schedule.BeginEpoch(epoch);
                if (_config.Shuffle) shuffleRng.Shuffle(st.Order);
                (st.InEpoch, st.Step, st.LossSum, st.CorrectSum, st.Seen, st.EpochSeconds) = (true, 0, 0, 0, 0, 0);
                _stepLog.BeginEpoch(epoch, steps);
            }
            for (; st.Step < steps; st.Step++)
            {
                if (cancel.IsCancellationRequested)
                {
                    // Ctrl-C: the steps so far are kept in the checkpoint, then the run stops.
                    st.EpochSeconds += clock.Elapsed.TotalSeconds;
                    _stepLog.Write(_runDir); // before the checkpoint, so the log always reaches the checkpoint's position
                    Capture().Save(_runDir);
                    cancel.ThrowIfCancellationRequested();
                }
                int start = st.Step * batchSize, b = Math.Min(batchSize, usable - start);
                var x = batchBuffer.For(b);
                var xs = x.Span;
                var src = trainX.Span;
                for (int i = 0; i < b; i++)
                {
                    int row = st.Order[start + i];
                    if (augment.Any) Augmentation.Apply(src.Slice(row * features, features), xs.Slice(i * features, features), _data.ImageShape, black, augment, augmentRng);
                    else src.Slice(row * features, features).CopyTo(xs.Slice(i * features, features));
                    labelBuffer[i] = trainY[row];
                }
                _schedule.BeginStep(epoch, st.Step, steps);
                double loss = _stepper.Step(x, labelBuffer.AsSpan(0, b), _schedule.Lr, out int correct);
                _stepLog.Record(st.Step + 1, loss, _schedule.Lr);
                if (!double.IsFinite(loss))
                {
                    (st.Status, st.DivergedEpoch, st.DivergedStep) = (RunStatus.Diverged, epoch, st.Step + 1);
                    break;
                }
                st.LossSum += loss * b;
                st.CorrectSum += correct;
                st.Seen += b;
                _observer.StepCompleted(epoch, st.Step + 1, steps, st.LossSum / st.Seen);
            }
            st.EpochSeconds += clock.Elapsed.TotalSeconds;
            if (st.Status == RunStatus.Diverged)
            {
                _observer.Note($"Diverged: the loss became NaN or infinite at epoch {st.DivergedEpoch}, step {st.DivergedStep}. Try a smaller --lr, --clip-grad-norm, or --batch-norm.");
                break;
            }
            EndEpoch(epoch, valX, valY);
            // The last epoch's checkpoint is written by Finish, after the outputs.
            if (st.Status == RunStatus.Running && st.EpochsDone < _config.Epochs)
            {
                Capture().Save(_runDir);
                cancel.ThrowIfCancellationRequested();
            }
        }
        if (st.Status == RunStatus.Running) st.Status = RunStatus.Completed;
        return Finish();
    }

    /// <summary>Validation, the metrics row, the schedule's and early stopping's epoch end.</summary>
    private void EndEpoch(int epoch, Tensor? valX, int[] valY)
    {
        var st = _state;
        double? valLoss = null, valAcc = null;
        if (valX != null)
        {
            var val = Evaluator.Evaluate(_network, valX, valY, _data.Classes, EvalBatchSize);
            (valLoss, valAcc) = (val.Loss, val.Accuracy);
        }
        var metrics = new EpochMetrics(epoch, st.LossSum / st.Seen, (double)st.CorrectSum / st.Seen, valLoss, valAcc, _schedule.Lr, st.EpochSeconds);
        st.Metrics.Add(metrics);
        RunDirectory.WriteMetrics(_runDir, st.Metrics);
        _stepLog.Write(_runDir);
        _observer.EpochCompleted(metrics, _config.Epochs);
        _schedule.EpochEnded(epoch, valLoss);
        (st.EpochsDone, st.InEpoch, st.Step) = (epoch, false, 0);

        if (valLoss is { } vl && st.EarlyStopping.EpochEnded(vl, _config.Patience, _network, keepBest: _config.RestoresBest))
        {
            st.Status = RunStatus.EarlyStopped;
            _observer.Note($"Early stop: no validation-loss improvement in {_config.Patience} epochs; best {st.EarlyStopping.BestValLoss:F4}.");
        }
        else if (epoch < _config.Epochs && _observer.PruneAfter(metrics) is { } reason)
        {
            st.Status = RunStatus.Pruned;
            _pruneReason = reason;
            _observer.Note($"Pruned: {reason}. Tested with its last weights.");
        }
    }

    /// <summary>Tests (with the best weights under --restore-best), writes model, confusion, summary, and last the final checkpoint.</summary>
    private TrainResult Finish()
    {
        var st = _state;
        // The final checkpoint keeps the live weights (not the best ones restored below), so a completed
        // run can be trained further. It is written after the outputs: a run killed in between resumes
        // from the previous checkpoint and redoes its end.
        byte[] checkpoint = Capture().Serialize();
        EvalResult? test = null;
        var misclassified = new List<Misclassification>();
        if (st.Status != RunStatus.Diverged)
        {
            // A pruned run is tested as it stood when stopped (summary.json says so: test_weights "last").
            if (_config.RestoresBest && st.Status != RunStatus.Pruned) st.EarlyStopping.RestoreBest(_network);
            var testX = _normalization.Apply(_data.Test, Enumerable.Range(0, _data.Test.Count).ToArray());
            var testY = _data.Test.Labels;
            var predictions = new int[testY.Length];
            test = Evaluator.Evaluate(_network, testX, testY, _data.Classes, EvalBatchSize, predictions);
            for (int i = 0; i < predictions.Length; i++)
                if (predictions[i] != testY[i]) misclassified.Add(new Misclassification(i, testY[i], predictions[i]));
            ModelFile.Save(Path.Combine(_runDir, "model.fcnlab"), _spec, _normalization, _data.ClassNames, _network);
            RunDirectory.WriteConfusion(_runDir, test, _data.ClassNames);
        }
        var summary = Trainer.Summarize(st.Status, st.Metrics, test, st.DivergedEpoch, st.DivergedStep, _network.Parameters.Count) with { PruneReason = _pruneReason };
        RunDirectory.WriteSummary(_runDir, summary);
        _stepLog.Write(_runDir); // a diverged run's log ends with the step that diverged
        AtomicFile.WriteAllBytes(Checkpoint.PathIn(_runDir), checkpoint);
        return new TrainResult(summary, st.Metrics, test, _data.ClassNames, misclassified);
    }

    /// <summary>
    /// The float tensors of the run's state, by name, as views of the live buffers: the weights and
    /// batch-norm statistics, the optimizer's buffers, and early stopping's best weights once it has some.
    /// A checkpoint saves them and a resume fills them, through this one list.
    /// </summary>
    private List<(string Name, Memory<float> Values)> StateTensors()
    {
        var tensors = new List<(string, Memory<float>)> { ("parameters", _network.Parameters.Values.Memory) };
        foreach (var (name, value) in _network.Buffers()) tensors.Add(($"buffer/{name}", value.Memory));
        foreach (var (name, value) in _optimizer.State) tensors.Add(($"optimizer/{name}", value.Memory));
        tensors.AddRange(_state.EarlyStopping.Tensors(_network));
        return tensors;
    }

    /// <summary>The run as a checkpoint; its state and tensors are the live ones, so serialize it before training on.</summary>
    private Checkpoint Capture()
    {
        _state.OptimizerSteps = _optimizer.StepCount;
        return new Checkpoint
        {
            Config = _config,
            Normalization = _normalization,
            Data = _fingerprint,
            State = _state,
            Tensors = [.. StateTensors().Select(t => (t.Name, (ReadOnlyMemory<float>)t.Values))],
        };
    }

    /// <summary>Checks a checkpoint against this run and fills the live buffers from its tensors (the inverse of <see cref="Capture"/>); returns its normalization.</summary>
    private Normalization Restore(Checkpoint c)
    {
        string Mismatch(string what) => $"Cannot resume from the checkpoint in '{_runDir}': {what}.";
        if (!c.Data.Matches(_fingerprint))
            throw new FcnLabException(Mismatch($"it was trained on other data ({c.Data}) than the data set loaded now ({_fingerprint}). Resume with the data set of the original run (see data_dir in config.json)"));

        var saved = new Dictionary<string, ReadOnlyMemory<float>>();
        foreach (var (name, values) in c.Tensors)
            if (!saved.TryAdd(name, values)) throw new FcnLabException(Mismatch($"tensor '{name}' appears twice"));
        if (saved.ContainsKey("best/parameters")) _state.EarlyStopping.Allocate(_network);
        foreach (var (name, destination) in StateTensors())
        {
            if (!saved.Remove(name, out var values))
                throw new FcnLabException(Mismatch($"it has no tensor '{name}' (it was saved from a different network or optimizer)"));
            if (values.Length != destination.Length)
                throw new FcnLabException(Mismatch($"tensor '{name}' has {values.Length} values, this run needs {destination.Length}"));
            values.Span.CopyTo(destination.Span);
        }
        if (saved.Count > 0) throw new FcnLabException(Mismatch($"it holds tensors this run does not have ({string.Join(", ", saved.Keys)})"));

        // A row order that is not a permutation of the rows would read outside the data.
        var st = _state;
        var taken = new bool[_trainIdx.Length];
        bool permutation = st.Order.Length == taken.Length;
        foreach (int row in st.Order)
        {
            if (!permutation || (uint)row >= (uint)taken.Length || taken[row]) { permutation = false; break; }
            taken[row] = true;
        }
        if (!permutation) throw new FcnLabException(Mismatch("its row order is not a permutation of the training rows"));
        if (st.EpochsDone < 0 || st.EpochsDone != st.Metrics.Count || st.Step < 0 || (!st.InEpoch && st.Step != 0))
            throw new FcnLabException(Mismatch($"its position (epoch {st.EpochsDone}, step {st.Step}, {st.Metrics.Count} epochs of metrics) is inconsistent"));

        _optimizer.StepCount = st.OptimizerSteps;
        // Trainer.Resume has refused the statuses that cannot go on (diverged, early-stopped, complete).
        st.Status = RunStatus.Running;
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
