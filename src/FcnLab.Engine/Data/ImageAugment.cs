namespace FcnLab.Engine.Data;

/// <summary>
/// The augmentations applied to a training image each time it is drawn, in torchvision's order:
/// RandomCrop(size, padding=<see cref="RandomCrop"/>), RandomHorizontalFlip(<see cref="HFlip"/>), then (after
/// ToTensor and Normalize) RandomErasing(<see cref="RandomErasing"/>). <see cref="ShiftAndFlip"/> is
/// <c>--augment</c>, which keeps its own draws (a shift of up to 2 pixels and a flip with probability 1/2)
/// so runs recorded with it keep their numbers; it stands for the crop and the flip, and goes with erasing.
/// </summary>
public sealed record ImageAugment(bool ShiftAndFlip, int RandomCrop, double HFlip, double RandomErasing)
{
    /// <summary>True when any augmentation is on: a training image is then transformed, not copied.</summary>
    public bool Any => ShiftAndFlip || RandomCrop > 0 || HFlip > 0 || RandomErasing > 0;
}
