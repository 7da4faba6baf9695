using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Layers;

/// <summary>
/// A layer with an explicit forward and backward pass (no autograd tape). A layer owns its
/// parameters, their gradients and whatever activations its backward pass needs. Tensors it returns
/// are its own buffers, valid until its next Forward/Backward call with the same batch size.
/// </summary>
public abstract class Layer
{
    /// <summary>Short description in PyTorch's words, e.g. "Linear(784, 1200)".</summary>
    public abstract string Describe();

    /// <summary>Learnable parameters, in a fixed order (they are bound to a flat buffer in this order).</summary>
    public virtual IReadOnlyList<Parameter> Parameters => [];

    /// <summary>The parameters with their names inside the layer, PyTorch's state_dict names ("weight"; a residual block's "body.0.weight"), in <see cref="Parameters"/>' order.</summary>
    public virtual IEnumerable<(string Name, Parameter Parameter)> NamedParameters => Parameters.Select(p => (p.Name, p));

    /// <summary>Non-learnable state saved with the model (e.g. batch norm's running statistics), in a fixed order.</summary>
    public virtual IReadOnlyList<(string Name, Tensor Value)> Buffers => [];

    /// <summary>Per-sample output shape for a per-sample input shape.</summary>
    public abstract int[] OutputShape(int[] inputShape);

    /// <summary>
    /// False for the first layer of a network (Models.NetworkBuilder builds it so): its
    /// Backward then skips the input gradient (returning null) but still accumulates its parameter gradients.
    /// </summary>
    public bool NeedsInputGradient { get; set; } = true;

    /// <param name="input">[batch, ...inputShape]</param>
    /// <param name="training">Training mode: batch statistics, dropout on, activations kept for backward.</param>
    public abstract Tensor Forward(Tensor input, bool training);

    /// <summary>
    /// Given dLoss/dOutput of the last training-mode Forward, accumulates (+=) parameter gradients and
    /// returns dLoss/dInput (null when <see cref="NeedsInputGradient"/> is false).
    /// </summary>
    public abstract Tensor? Backward(Tensor gradOutput);
}
