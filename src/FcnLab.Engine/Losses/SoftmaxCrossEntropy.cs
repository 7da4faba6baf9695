using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Losses;

/// <summary>
/// Softmax followed by mean cross-entropy over the batch, fused and computed with log-sum-exp so large
/// logits cannot overflow (PyTorch's nn.CrossEntropyLoss with reduction "mean" on raw logits). Also
/// reports each sample's predicted class and the batch's correct count. A NaN or infinite logit gives
/// a NaN or infinite loss, never an exception: the trainer detects divergence from it.
/// With label smoothing eps (PyTorch's label_smoothing) the target is (1 - eps) on the label and eps/C
/// spread over all C classes; eps = 0 computes exactly what plain cross-entropy does.
/// </summary>
/// <param name="labelSmoothing">eps in [0, 1]; 0 is plain cross-entropy.</param>
public sealed class SoftmaxCrossEntropy(double labelSmoothing = 0)
{
    private readonly double _smoothing = labelSmoothing >= 0 && labelSmoothing <= 1 ? labelSmoothing
        : throw new FcnLabException($"Label smoothing must be in [0, 1] (got {labelSmoothing}).");
    private BatchBuffer? _grad;
    private int _classes = -1;
    private double[] _logSumExp = [];
    private int[] _labels = [];
    private int[] _predictions = [];
    private Tensor? _logits;
    private int _batch;

    /// <summary>Samples of the last Forward whose arg-max logit equals the label.</summary>
    public int Correct { get; private set; }

    /// <summary>Arg-max class of each sample of the last Forward (the first one on ties).</summary>
    public ReadOnlySpan<int> Predictions => _predictions.AsSpan(0, _batch);

    // logits [B, C], labels [B] -> mean over the batch of logsumexp(z_i) - z_i[label_i]
    //   with smoothing eps: (1 - eps) * (lse_i - z_i[label_i]) + eps * (lse_i - mean_j z_ij)
    public double Forward(Tensor logits, ReadOnlySpan<int> labels)
    {
        if (logits.Rank != 2)
            throw new FcnLabException($"Cross-entropy needs logits of shape [batch, classes]; got [{string.Join(", ", logits.Shape)}].");
        int batch = logits.Shape[0], classes = logits.Shape[1];
        if (labels.Length != batch)
            throw new FcnLabException($"Cross-entropy got {labels.Length} labels for a batch of {batch} logit rows; pass one label per sample.");
        if (batch == 0)
            throw new FcnLabException("Cross-entropy got an empty batch; the mean loss of no samples is undefined.");
        EnsureCapacity(batch, classes);

        ReadOnlySpan<float> z = logits.Span;
        double total = 0;
        int correct = 0;
        for (int i = 0; i < batch; i++)
        {
            int label = labels[i];
            if ((uint)label >= (uint)classes)
                throw new FcnLabException($"Label {label} of sample {i} is outside [0, {classes}); the labels must be class indices 0..{classes - 1}, matching the network's output size.");
            var row = z.Slice(i * classes, classes);
            int arg = ArgMax(row);
            // An infinite max gives inf - inf = NaN below, and a NaN logit propagates: both surface as the loss.
            float max = row[arg];
            double sum = 0;
            for (int j = 0; j < classes; j++) sum += Math.Exp(row[j] - max);
            double lse = max + Math.Log(sum);
            _logSumExp[i] = lse;
            _labels[i] = label;
            _predictions[i] = arg;
            if (arg == label) correct++;
            double nll = lse - row[label];
            if (_smoothing != 0)
            {
                double sumZ = 0;
                for (int j = 0; j < classes; j++) sumZ += row[j];
                nll = (1 - _smoothing) * nll + _smoothing * (lse - sumZ / classes);
            }
            total += nll;
        }
        _logits = logits;
        _batch = batch;
        Correct = correct;
        return total / batch;
    }

    // dz = (softmax(z) - target) / B   [B, C], in this loss's own buffer; target = (1 - eps) * onehot(label) + eps / C
    public Tensor Backward()
    {
        var logits = _logits ?? throw new InvalidOperationException("SoftmaxCrossEntropy: Backward called before Forward.");
        int batch = _batch, classes = _classes;
        var grad = _grad!.For(batch);
        ReadOnlySpan<float> z = logits.Span;
        var g = grad.Span;
        double invBatch = 1.0 / batch;
        // With eps = 0 these are exactly 0 and 1: the plain cross-entropy gradient, bit for bit.
        double offLabel = _smoothing / classes, onLabel = 1 - _smoothing + offLabel;
        for (int i = 0; i < batch; i++)
        {
            var row = z.Slice(i * classes, classes);
            var gr = g.Slice(i * classes, classes);
            double lse = _logSumExp[i];
            int label = _labels[i];
            for (int j = 0; j < classes; j++)
            {
                double p = Math.Exp(row[j] - lse) - (j == label ? onLabel : offLabel);
                gr[j] = (float)(p * invBatch);
            }
        }
        return grad;
    }

    /// <summary>Writes each row's arg-max class into predictions (the first one on ties; NaN counts as largest, as torch.argmax).</summary>
    public static void ArgMax(Tensor logits, Span<int> predictions)
    {
        if (logits.Rank != 2)
            throw new FcnLabException($"ArgMax needs logits of shape [batch, classes]; got [{string.Join(", ", logits.Shape)}].");
        int batch = logits.Shape[0], classes = logits.Shape[1];
        if (predictions.Length < batch)
            throw new FcnLabException($"ArgMax needs room for {batch} predictions; got {predictions.Length}.");
        ReadOnlySpan<float> z = logits.Span;
        for (int i = 0; i < batch; i++) predictions[i] = ArgMax(z.Slice(i * classes, classes));
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        float max = row[0];
        if (float.IsNaN(max)) return 0;
        for (int j = 1; j < row.Length; j++)
        {
            float v = row[j];
            if (float.IsNaN(v)) return j;
            if (v > max) { max = v; best = j; }
        }
        return best;
    }

    private void EnsureCapacity(int batch, int classes)
    {
        if (classes == 0)
            throw new FcnLabException("Cross-entropy got logits with 0 classes; the network needs at least one output.");
        if (classes != _classes)
        {
            _grad = new BatchBuffer(classes);
            _classes = classes;
        }
        if (_labels.Length < batch)
        {
            _logSumExp = new double[batch];
            _labels = new int[batch];
            _predictions = new int[batch];
        }
    }
}
