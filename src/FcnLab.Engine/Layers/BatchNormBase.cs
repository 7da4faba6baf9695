using System.Globalization;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>
/// What BatchNorm1d and BatchNorm2d share (PyTorch's _BatchNorm): per-feature gamma and beta, the
/// running mean and variance, momentum and eps, and the reset rules.
/// </summary>
public abstract class BatchNormBase : Layer
{
    private readonly string _name;

    /// <summary>Features (BatchNorm1d) or channels (BatchNorm2d).</summary>
    public int Features { get; }
    public double Momentum { get; }
    public double Eps { get; }

    /// <summary>gamma [features]</summary>
    public Parameter Weight { get; }

    /// <summary>beta [features]</summary>
    public Parameter Bias { get; }

    /// <summary>[features]</summary>
    public Tensor RunningMean { get; }

    /// <summary>[features]</summary>
    public Tensor RunningVar { get; }

    /// <param name="noun">What a feature is called in messages: "feature" or "channel".</param>
    protected BatchNormBase(string name, string noun, int features, double momentum, double eps)
    {
        if (features < 1) throw new FcnLabException($"{name}({features}): the {noun} count must be at least 1.");
        if (!(momentum >= 0 && momentum <= 1)) throw new FcnLabException($"{name}: momentum must be in [0, 1] (got {momentum}); PyTorch's default is 0.1.");
        if (!(eps > 0)) throw new FcnLabException($"{name}: eps must be positive (got {eps}); PyTorch's default is 1e-5.");
        _name = name;
        Features = features;
        Momentum = momentum;
        Eps = eps;
        Weight = new Parameter("weight", ParameterKind.BatchNormScale, features);
        Bias = new Parameter("bias", ParameterKind.BatchNormShift, features);
        Parameters = [Weight, Bias];
        RunningMean = Tensor.Zeros(features);
        RunningVar = Tensor.Zeros(features);
        Buffers = [("running_mean", RunningMean), ("running_var", RunningVar)];
        ResetRunningStats();
    }

    // PyTorch spells eps "1e-05".
    public override string Describe() =>
        FormattableString.Invariant($"{_name}({Features}, eps={Eps.ToString("R", CultureInfo.InvariantCulture).ToLowerInvariant()}, momentum={Momentum})");

    public override IReadOnlyList<Parameter> Parameters { get; }

    public override IReadOnlyList<(string Name, Tensor Value)> Buffers { get; }

    /// <summary>running_mean = 0, running_var = 1 (PyTorch's reset_running_stats).</summary>
    public void ResetRunningStats()
    {
        RunningMean.Span.Fill(0f);
        RunningVar.Span.Fill(1f);
    }

    /// <summary>gamma = 1, beta = 0 and fresh running statistics (PyTorch's reset_parameters). Parameters must be bound.</summary>
    public void ResetParameters()
    {
        ResetRunningStats();
        Weight.Value.Span.Fill(1f);
        Bias.Value.Span.Fill(0f);
    }

    /// <summary>Moves feature j's running statistics toward a batch's mean and biased variance over n values (the variance stored unbiased, as PyTorch does).</summary>
    protected void UpdateRunningStats(int j, double mean, double variance, long n)
    {
        RunningMean[j] = (float)((1 - Momentum) * RunningMean[j] + Momentum * mean);
        RunningVar[j] = (float)((1 - Momentum) * RunningVar[j] + Momentum * variance * n / (n - 1));
    }
}
