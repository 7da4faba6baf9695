namespace FcnLab.Engine.Data;

/// <summary>
/// A loaded data set: its training and test splits, the shape of one image as
/// [channels, height, width], the class count and one display name per class.
/// </summary>
public sealed class ImageDataset
{
    /// <summary>FashionMNIST's class names, in label order.</summary>
    public static IReadOnlyList<string> FashionMnistClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>
    /// The most classes FcnLab takes: far more than any small image data set has, and a bound on the
    /// class names and output layer a label read from a file can make us allocate.
    /// </summary>
    public const int MaxClasses = 10_000;

    public string Name { get; }
    public string Directory { get; }
    public int[] ImageShape { get; }
    public int Classes { get; }
    public string[] ClassNames { get; }
    public ImageSet Train { get; }
    public ImageSet Test { get; }

    /// <summary>Pixels per image: the product of <see cref="ImageShape"/>.</summary>
    public int Features => Train.Features;

    public ImageDataset(string name, string directory, int[] imageShape, int classes, string[] classNames, ImageSet train, ImageSet test)
    {
        ArgumentNullException.ThrowIfNull(imageShape);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        if (imageShape.Length != 3 || imageShape.Any(d => d <= 0))
            throw new FcnLabException($"Data set '{name}': image shape [{string.Join(", ", imageShape)}] must be three positive sizes [channels, height, width].");
        long features = (long)imageShape[0] * imageShape[1] * imageShape[2];
        if (features != train.Features || features != test.Features)
            throw new FcnLabException(
                $"Data set '{name}' in {directory}: image shape [{string.Join(", ", imageShape)}] has {features} pixels but the training images have {train.Features} and the test images {test.Features}; the splits must have the same image size.");
        if (classes < 1)
            throw new FcnLabException($"Data set '{name}' in {directory}: the class count must be at least 1, not {classes}.");
        if (classNames.Length != classes)
            throw new FcnLabException($"Data set '{name}' in {directory}: {classNames.Length} class names for {classes} classes.");
        CheckLabels(name, directory, "training", train, classes);
        CheckLabels(name, directory, "test", test, classes);

        Name = name;
        Directory = directory;
        ImageShape = (int[])imageShape.Clone();
        Classes = classes;
        ClassNames = (string[])classNames.Clone();
        Train = train;
        Test = test;
    }

    /// <summary>Display names for <paramref name="classes"/> classes: FashionMNIST's names for it, else "0", "1", ...</summary>
    public static string[] DefaultClassNames(string datasetName, int classes) =>
        datasetName == "fashion-mnist" && classes == FashionMnistClassNames.Count
            ? [.. FashionMnistClassNames]
            : [.. Enumerable.Range(0, classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private static void CheckLabels(string name, string directory, string split, ImageSet set, int classes)
    {
        for (int i = 0; i < set.Count; i++)
            if (set.Labels[i] >= classes)
                throw new FcnLabException(
                    $"Data set '{name}' in {directory}: {split} image {i} has label {set.Labels[i]}, outside the {classes} classes (0..{classes - 1}); pass the right class count or fix the labels.");
    }
}
