namespace FcnLab.Engine.Data;

/// <summary>
/// How pixels are normalized (--normalize): <see cref="Standardize"/> subtracts the training pixels'
/// global mean and divides by their standard deviation; <see cref="Scale"/> divides by 255; <see cref="None"/>
/// leaves the raw 0..255 values; <see cref="Symmetric"/> maps 0..255 onto [-1, 1] as torchvision's
/// ToTensor() then Normalize((0.5,), (0.5,)) do (the pipeline of the Li, Gundlapalli and Wood studies).
/// </summary>
public enum NormalizeKind
{
    Standardize,
    Scale,
    None,
    /// <summary>(x - 127.5) / 127.5: [-1, 1], as ToTensor() then Normalize((0.5,), (0.5,)).</summary>
    Symmetric,
}
