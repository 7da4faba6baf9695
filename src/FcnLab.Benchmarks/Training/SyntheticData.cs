using FcnLab.Engine.Data;
using FcnLab.Engine.Random;

namespace FcnLab.Benchmarks.Training;

/// <summary>
/// A FashionMNIST-shaped data set made up on the spot (each class a noisy prototype image), for
/// benchmarks on machines without the real files. Learnable, so timings cover a real training.
/// </summary>
public static class SyntheticData
{
    public static ImageDataset Create(int train = 60000, int test = 10000, int height = 28, int width = 28, int classes = 10, ulong seed = 1)
    {
        var rng = new Rng(seed);
        int features = height * width;
        var prototypes = new float[classes * features];
        for (int i = 0; i < prototypes.Length; i++) prototypes[i] = rng.NextFloat() * 255;
        return new ImageDataset("synthetic", "(synthetic)", [1, height, width], classes,
            Enumerable.Range(0, classes).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            Make(train, features, classes, prototypes, rng), Make(test, features, classes, prototypes, rng));
    }

    private static ImageSet Make(int count, int features, int classes, float[] prototypes, Rng rng)
    {
        var pixels = new float[(long)count * features];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int c = labels[i] = rng.NextInt(classes);
            for (int j = 0; j < features; j++)
                pixels[(long)i * features + j] = Math.Clamp(prototypes[c * features + j] + (rng.NextFloat() - 0.5f) * 200, 0, 255);
        }
        return new ImageSet(pixels, labels, features);
    }
}
