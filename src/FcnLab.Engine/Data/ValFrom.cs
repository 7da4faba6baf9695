namespace FcnLab.Engine.Data;

/// <summary>
/// Which training images the validation split takes (--val-from): <see cref="Random"/> a seeded random choice (or, with
/// --stratify, a random choice per class); <see cref="Last"/> the last ones as the files hold them, unshuffled, as
/// Keras's validation_split does (and as an ordered first-N / last-N split, Wang's 55,000 / 5,000).
/// </summary>
public enum ValFrom
{
    Random,
    Last,
}
