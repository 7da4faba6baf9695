using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Optim;

/// <summary>
/// Base of the optimizers. Each one updates the model's flat value buffer from its flat gradient
/// buffer in one vectorised pass, in float32 with the same order of operations as PyTorch's
/// single-tensor (for-loop) implementation, and keeps its state in flat tensors of the same length.
/// Weight decay applies to every parameter, as in PyTorch's default parameter group.
/// </summary>
public abstract class Optimizer
{
    private long _stepCount;

    /// <summary>Elements per parallel chunk: a multiple of every vector width, fixed, so each element takes the same path on any thread count.</summary>
    private const int ChunkLength = 1 << 16;

    private readonly StepJob _job;
    private readonly WorkerPool? _pool;

    /// <param name="pool">When given, Step() updates fixed chunks of the buffers on its threads (elementwise, so the result is the same).</param>
    protected Optimizer(OptimizerConfig config, ParameterSet parameters, WorkerPool? pool)
    {
        ValidateConfig(config);
        Config = config;
        Parameters = parameters;
        _pool = pool;
        _job = new StepJob(this);
    }

    public OptimizerConfig Config { get; }

    public ParameterSet Parameters { get; }

    /// <summary>The learning rate of the step in progress, as <see cref="Step"/> was given it (the schedule's rate for the epoch).</summary>
    protected double Lr { get; private set; }

    /// <summary>Steps taken so far (PyTorch's per-parameter "step" state). Settable to restore a checkpoint.</summary>
    public long StepCount
    {
        get => _stepCount;
        set
        {
            if (value < 0) throw new FcnLabException($"An optimizer step count cannot be negative (got {value}).");
            _stepCount = value;
        }
    }

    /// <summary>
    /// The optimizer's buffers under PyTorch's state names, each flat and as long as the parameter
    /// buffer, for checkpoints: save their contents, and copy them back (with StepCount) to resume.
    /// </summary>
    public abstract IReadOnlyList<(string Name, Tensor Value)> State { get; }

    /// <summary>
    /// One update of all parameters from their gradients at learning rate <paramref name="lr"/> (the
    /// schedule owns the rate: <see cref="LrSchedule.Lr"/>). With <paramref name="zeroGrads"/>, each chunk's
    /// gradients are zeroed right after its update, while still in cache (the next step's zero_grad
    /// without a pass of its own over the buffer).
    /// </summary>
    public void Step(double lr, bool zeroGrads = false)
    {
        if (!double.IsFinite(lr) || lr < 0)
            throw new FcnLabException($"The learning rate must be a finite number >= 0 (got {lr}).");
        Lr = lr;
        _stepCount++;
        _zeroGrads = zeroGrads;
        int chunks = (Parameters.Count + ChunkLength - 1) / ChunkLength;
        if (_pool == null || chunks < 2) UpdateChunk(0, Parameters.Count);
        else _pool.Run(_job, chunks);
    }

    private bool _zeroGrads;

    private void UpdateChunk(int start, int length)
    {
        var grads = Parameters.Grads.Span.Slice(start, length);
        Update(start, Parameters.Values.Span.Slice(start, length), grads);
        if (_zeroGrads) grads.Clear();
    }

    /// <summary>
    /// Applies the update rule to elements [offset, offset + values.Length) of the flat buffers
    /// (values and grads are already sliced; state buffers are sliced by the implementation).
    /// StepCount already counts this step.
    /// </summary>
    protected abstract void Update(int offset, Span<float> values, ReadOnlySpan<float> grads);

    private sealed class StepJob(Optimizer optimizer) : IParallelJob
    {
        public void Execute(int index)
        {
            int start = index * ChunkLength;
            optimizer.UpdateChunk(start, Math.Min(ChunkLength, optimizer.Parameters.Count - start));
        }
    }

    public static Optimizer Create(OptimizerConfig config, ParameterSet parameters, WorkerPool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(parameters);
        return config.Kind switch
        {
            OptimizerKind.Sgd => new Sgd(config, parameters, pool),
            OptimizerKind.RmsProp => new RmsProp(config, parameters, pool),
            OptimizerKind.Adam => new Adam(config, parameters, pool),
            OptimizerKind.AdamW => new AdamW(config, parameters, pool),
            _ => throw new FcnLabException($"Unknown optimizer kind {config.Kind}."),
        };
    }

    /// <summary>Refuses the settings PyTorch refuses (and a few it accepts but that cannot train), naming the setting.</summary>
    public static void ValidateConfig(OptimizerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!Enum.IsDefined(config.Kind))
            throw new FcnLabException($"Unknown optimizer kind {(int)config.Kind}; allowed: {AllowedNames}.");
        if (!double.IsFinite(config.Lr) || config.Lr <= 0)
            throw new FcnLabException($"--lr must be a finite number > 0 (got {config.Lr}).");
        if (!double.IsFinite(config.Momentum) || config.Momentum < 0)
            throw new FcnLabException($"--momentum must be a finite number >= 0 (got {config.Momentum}).");
        if (config.Nesterov && config.Kind != OptimizerKind.Sgd)
            throw new FcnLabException($"--nesterov applies to the sgd optimizer only (optimizer is {ToFlag(config.Kind)}).");
        if (config.Nesterov && config.Momentum == 0)
            throw new FcnLabException("--nesterov requires --momentum > 0 (PyTorch refuses Nesterov momentum without momentum).");
        if (!double.IsFinite(config.Eps) || config.Eps <= 0)
            throw new FcnLabException($"--eps must be a finite number > 0 (got {config.Eps}).");
        if (!double.IsFinite(config.WeightDecay) || config.WeightDecay < 0)
            throw new FcnLabException($"--weight-decay must be a finite number >= 0 (got {config.WeightDecay}).");
        if (!(config.Alpha >= 0 && config.Alpha < 1))
            throw new FcnLabException($"--alpha (RMSprop's smoothing constant) must be in [0, 1) (got {config.Alpha}).");
        if (!(config.Beta1 >= 0 && config.Beta1 < 1))
            throw new FcnLabException($"--beta1 must be in [0, 1) (got {config.Beta1}).");
        if (!(config.Beta2 >= 0 && config.Beta2 < 1))
            throw new FcnLabException($"--beta2 must be in [0, 1) (got {config.Beta2}).");
    }

    private const string AllowedNames = "sgd, rmsprop, adam, adamw";

    /// <summary>Parses an optimizer name as written in flags and YAML (case-insensitive).</summary>
    public static OptimizerKind ParseKind(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "sgd" => OptimizerKind.Sgd,
            "rmsprop" => OptimizerKind.RmsProp,
            "adam" => OptimizerKind.Adam,
            "adamw" => OptimizerKind.AdamW,
            _ => throw new FcnLabException($"Unknown optimizer '{name}'; allowed: {AllowedNames}."),
        };
    }

    /// <summary>The flag spelling of an optimizer kind (the inverse of <see cref="ParseKind"/>).</summary>
    public static string ToFlag(OptimizerKind kind) => kind switch
    {
        OptimizerKind.Sgd => "sgd",
        OptimizerKind.RmsProp => "rmsprop",
        OptimizerKind.Adam => "adam",
        OptimizerKind.AdamW => "adamw",
        _ => throw new FcnLabException($"Unknown optimizer kind {(int)kind}; allowed: {AllowedNames}."),
    };

    /// <summary>A zeroed state buffer as long as the parameter buffer (PyTorch's zeros_like).</summary>
    protected Tensor NewStateBuffer() => Tensor.Zeros(Parameters.Count);

    // Helpers for the vectorised loops: a Vector<float> at element i of a span, without bounds checks
    // (callers loop i + Vector<float>.Count <= length).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected static Vector<float> Load(ReadOnlySpan<float> span, int i) =>
        Vector.LoadUnsafe(ref MemoryMarshal.GetReference(span), (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected static void Store(Vector<float> v, Span<float> span, int i) =>
        v.StoreUnsafe(ref MemoryMarshal.GetReference(span), (nuint)i);
}
