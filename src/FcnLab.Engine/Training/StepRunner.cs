using FcnLab.Engine.Layers;
using FcnLab.Engine.Losses;
using FcnLab.Engine.Optim;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Training;

/// <summary>
/// One optimization step: forward, loss (+ L2 penalty), backward, clipping, optimizer update.
/// Allocates nothing on the managed heap after the first step for a batch size.
/// </summary>
public sealed class StepRunner
{
    private readonly Sequential _network;
    private readonly Optimizer _optimizer;
    private readonly WorkerPool _pool;
    private readonly SoftmaxCrossEntropy _loss;
    private readonly double _l2;
    private readonly double? _clipGradNorm;
    // True when the last step's optimizer update left every gradient at zero, so this step needs no zero_grad pass.
    private bool _gradsZero;

    /// <param name="pool">The threads the zero_grad pass runs on (the pool the network and optimizer were built with).</param>
    /// <param name="loss">The training loss, built from the config by the caller (label smoothing and all).</param>
    public StepRunner(Sequential network, Optimizer optimizer, WorkerPool pool, SoftmaxCrossEntropy loss, double l2, double? clipGradNorm)
    {
        _network = network;
        _optimizer = optimizer;
        _pool = pool;
        _loss = loss;
        _l2 = l2;
        _clipGradNorm = clipGradNorm;
    }

    /// <summary>
    /// Trains on one batch at learning rate <paramref name="lr"/> (the schedule's). Returns the batch's mean loss (cross-entropy plus the L2 penalty) and the
    /// number of correct predictions. A non-finite loss returns before any update, so the caller can
    /// stop the run with the weights that produced it.
    /// </summary>
    /// <param name="x">[batch, features]</param>
    public double Step(Tensor x, ReadOnlySpan<int> labels, double lr, out int correct)
    {
        var logits = _network.Forward(x, training: true);
        double loss = _loss.Forward(logits, labels);
        correct = _loss.Correct; // counted by the loss's own pass over the logits
        if (!_gradsZero) _network.Parameters.ZeroGrad(_pool);
        _gradsZero = false;
        if (_l2 > 0) loss += GradientTools.AddL2(_network.Parameters, _l2);
        if (!double.IsFinite(loss)) return loss;
        _network.Backward(_loss.Backward());
        if (_clipGradNorm is { } max) GradientTools.ClipGradNorm(_network.Parameters, max);
        _optimizer.Step(lr, zeroGrads: true);
        _gradsZero = true;
        return loss;
    }
}
