namespace FcnLab.Engine.Png;

/// <summary>A grayscale image: <see cref="Height"/> x <see cref="Width"/> pixels, row-major, on the raw 0..255 scale.</summary>
public sealed record GrayImage(int Width, int Height, float[] Pixels);
