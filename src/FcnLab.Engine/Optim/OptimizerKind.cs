namespace FcnLab.Engine.Optim;

/// <summary>The optimizers (flag names: sgd, rmsprop, adam, adamw; see <see cref="Optimizer.ParseKind"/>).</summary>
public enum OptimizerKind
{
    Sgd,
    RmsProp,
    Adam,
    AdamW,
}
