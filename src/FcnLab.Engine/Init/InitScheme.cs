namespace FcnLab.Engine.Init;

public enum InitScheme
{
    /// <summary>Exactly PyTorch's nn.Linear default: weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)).</summary>
    Default,
    /// <summary>N(0, std^2) for weights (torch.nn.init.normal_), zero biases.</summary>
    Normal,
    XavierNormal,
    XavierUniform,
    KaimingUniform,
    KaimingNormal,
}
