namespace FcnLab.Engine.Data;

/// <summary>Resolves the [channels, height, width] shape of one image from a requested shape or the pixel count.</summary>
internal static class ImageShapes
{
    /// <summary>
    /// The requested shape ([c,h,w], or [h,w] meaning one channel) when given — it must hold exactly
    /// <paramref name="features"/> pixels — else <paramref name="fallback"/>, else a square single-channel
    /// image, which needs a perfect-square pixel count.
    /// </summary>
    /// <paramref name="fixedBy"/> names where the requested shape came from when not --image-shape (see <see cref="DataOptions.FixedBy"/>).
    public static int[] Resolve(int[]? requested, int features, string source, int[]? fallback = null, string? fixedBy = null)
    {
        if (requested is not null)
        {
            if (requested.Length is < 2 or > 3 || requested.Any(d => d <= 0))
                throw new FcnLabException(
                    $"Image shape [{string.Join(",", requested)}] is not valid: give HEIGHT,WIDTH or CHANNELS,HEIGHT,WIDTH with positive sizes, e.g. --image-shape 1,28,28.");
            int[] shape = requested.Length == 2 ? [1, requested[0], requested[1]] : (int[])requested.Clone();
            long pixels = (long)shape[0] * shape[1] * shape[2];
            if (pixels != features)
                throw new FcnLabException(fixedBy is null
                    ? $"{source}: images have {features} pixels but the image shape {string.Join(",", requested)} holds {pixels}; pass an --image-shape whose sizes multiply to {features}."
                    : $"{source}: images have {features} pixels but {fixedBy} takes images of {string.Join("x", shape)} = {pixels} pixels; use it on data like the data it was trained on.");
            return shape;
        }
        if (fallback is not null) return fallback;

        int side = (int)Math.Round(Math.Sqrt(features));
        if ((long)side * side != features)
            throw new FcnLabException(
                $"{source}: images have {features} pixels, which is not a perfect square, so the image shape cannot be guessed; pass --image-shape CHANNELS,HEIGHT,WIDTH (or HEIGHT,WIDTH).");
        return [1, side, side];
    }
}
