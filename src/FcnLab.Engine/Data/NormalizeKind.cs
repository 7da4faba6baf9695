namespace FcnLab.Engine.Data;

/// <summary>
/// How pixels are normalized (--normalize): <see cref="Standardize"/> subtracts the training pixels'
/// global mean and divides by their standard deviation; <see cref="Scale"/> divides by 255; <see cref="None"/>
/// leaves the raw 0..255 values.
/// </summary>
public enum NormalizeKind
{
    Standardize,
    Scale,
    None,
}
