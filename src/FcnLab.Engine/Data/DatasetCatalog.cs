namespace FcnLab.Engine.Data;

/// <summary>
/// Finds and loads data sets. A data set directory is found, in order, at --data DIR (the directory
/// itself), $FCNLAB_DATA/&lt;name&gt;/, ~/.fcnlab/datasets/&lt;name&gt;/ and /usr/share/datasets/&lt;name&gt;/; the
/// first that exists is used — never silently a later one — so a broken copy is reported, not skipped.
/// It holds the four MNIST-format IDX files (raw or .gz) or train.csv and test.csv.
/// </summary>
public static class DatasetCatalog
{
    /// <summary>Names with known class count (10) and class names; any other name loads when its directory is found.</summary>
    public static IReadOnlyList<string> KnownNames { get; } = ["fashion-mnist", "mnist"];

    public const string TrainImagesFile = "train-images-idx3-ubyte";
    public const string TrainLabelsFile = "train-labels-idx1-ubyte";
    public const string TestImagesFile = "t10k-images-idx3-ubyte";
    public const string TestLabelsFile = "t10k-labels-idx1-ubyte";
    public const string TrainCsvFile = "train.csv";
    public const string TestCsvFile = "test.csv";

    private static readonly string[] IdxFiles = [TrainImagesFile, TrainLabelsFile, TestImagesFile, TestLabelsFile];

    public static ImageDataset Load(DataOptions options) => Load(options, DataEnvironment.Default);

    public static ImageDataset Load(DataOptions options, DataEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Classes is <= 0 or > ImageDataset.MaxClasses)
            throw new FcnLabException($"--classes must be from 1 to {ImageDataset.MaxClasses}, not {options.Classes}.");
        string directory = Locate(options, environment);

        var idx = IdxFiles.Select(f => FindFile(directory, f)).ToArray();
        if (idx.Any(p => p is not null))
        {
            var missing = IdxFiles.Where((_, i) => idx[i] is null).ToArray();
            if (missing.Length > 0)
                throw new FcnLabException(
                    $"Data set '{options.Dataset}' in {directory} is incomplete: missing {string.Join(", ", missing)} (raw or .gz). An IDX data set needs all four of {string.Join(", ", IdxFiles)}.");
            return LoadIdx(options, directory, idx[0]!, idx[1]!, idx[2]!, idx[3]!);
        }

        string trainCsv = Path.Combine(directory, TrainCsvFile), testCsv = Path.Combine(directory, TestCsvFile);
        bool hasTrain = File.Exists(trainCsv), hasTest = File.Exists(testCsv);
        if (hasTrain && hasTest) return LoadCsv(options, directory, trainCsv, testCsv);
        if (hasTrain || hasTest)
            throw new FcnLabException(
                $"Data set '{options.Dataset}' in {directory} is incomplete: missing {(hasTrain ? TestCsvFile : TrainCsvFile)}. A CSV data set needs both {TrainCsvFile} and {TestCsvFile}.");
        throw new FcnLabException(
            $"Data set '{options.Dataset}': {directory} holds no data set files. It needs the four IDX files {string.Join(", ", IdxFiles)} (each raw or .gz), or {TrainCsvFile} and {TestCsvFile}.");
    }

    /// <summary>The directories searched for <paramref name="options"/>, in order.</summary>
    public static IReadOnlyList<string> SearchPaths(DataOptions options, DataEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        if (!string.IsNullOrWhiteSpace(options.DataDir)) return [Path.GetFullPath(options.DataDir)];

        string name = CheckName(options.Dataset);
        var paths = new List<string>();
        string? root = environment.GetVariable(DataEnvironment.DataVariable);
        if (!string.IsNullOrWhiteSpace(root)) paths.Add(Path.Combine(Path.GetFullPath(root), name));
        if (!string.IsNullOrEmpty(environment.HomeDirectory)) paths.Add(Path.Combine(environment.HomeDirectory, ".fcnlab", "datasets", name));
        paths.Add(Path.Combine(environment.SystemRoot, name));
        return paths;
    }

    /// <summary>The first existing directory of <see cref="SearchPaths"/>; an error listing them all when none exists.</summary>
    public static string Locate(DataOptions options, DataEnvironment environment)
    {
        var paths = SearchPaths(options, environment);
        foreach (string path in paths)
            if (System.IO.Directory.Exists(path)) return path;

        if (!string.IsNullOrWhiteSpace(options.DataDir))
            throw new FcnLabException($"--data {options.DataDir}: no such directory ({paths[0]}). Pass the directory that holds the data set files.");

        string name = options.Dataset;
        string howTo = name == "fashion-mnist"
            ? "Install it with `apt-get install dataset-fashion-mnist`, or pass --data DIR"
            : $"Put its files (the four IDX files {string.Join(", ", IdxFiles)}, raw or .gz, or {TrainCsvFile} and {TestCsvFile}) in one of those directories, or pass --data DIR";
        throw new FcnLabException(
            $"Data set '{name}' not found. Searched: {string.Join(", ", paths)} (set {DataEnvironment.DataVariable} to a directory of data set directories to add a place). {howTo}.");
    }

    private static string CheckName(string? name)
    {
        // The name becomes a path component: keep it to one plain directory name.
        if (string.IsNullOrWhiteSpace(name) || name is "." or ".." || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            throw new FcnLabException(
                $"Data set name '{name}' is not valid: use letters, digits, '-', '_' or '.', e.g. fashion-mnist or mnist (or pass --data DIR for a directory).");
        return name;
    }

    /// <summary>The raw file if present (cheaper to read), else its .gz.</summary>
    private static string? FindFile(string directory, string name)
    {
        string raw = Path.Combine(directory, name);
        if (File.Exists(raw)) return raw;
        string gz = raw + ".gz";
        return File.Exists(gz) ? gz : null;
    }

    private static int? DefaultClasses(DataOptions options) =>
        options.Classes ?? (KnownNames.Contains(options.Dataset) ? 10 : null);

    private static ImageDataset LoadIdx(DataOptions options, string directory, string trainImages, string trainLabels, string testImages, string testLabels)
    {
        // The four files are independent; reading them concurrently hides most of the gzip time.
        var trainImagesTask = Task.Run(() => IdxReader.ReadImages(trainImages));
        var testImagesTask = Task.Run(() => IdxReader.ReadImages(testImages));
        int[] trainY = IdxReader.ReadLabels(trainLabels);
        int[] testY = IdxReader.ReadLabels(testLabels);
        var train = trainImagesTask.GetAwaiter().GetResult();
        var test = testImagesTask.GetAwaiter().GetResult();

        CheckCount(train.Count, trainImages, trainY.Length, trainLabels);
        CheckCount(test.Count, testImages, testY.Length, testLabels);
        if (train.Rows != test.Rows || train.Cols != test.Cols)
            throw new FcnLabException(
                $"{testImages}: images are {test.Rows}x{test.Cols} but the training images in {trainImages} are {train.Rows}x{train.Cols}; both splits must have the same image size.");

        int features = train.Rows * train.Cols;
        int[] shape = ImageShapes.Resolve(options.ImageShape, features, trainImages, fallback: [1, train.Rows, train.Cols], options.FixedBy);
        int classes = DefaultClasses(options) ?? Math.Max(MaxLabel(trainY), MaxLabel(testY)) + 1;
        string fix = ClassesFix(options, classes);
        CheckLabels(trainY, trainLabels, classes, fix);
        CheckLabels(testY, testLabels, classes, fix);

        return new ImageDataset(options.Dataset, directory, shape, classes, ImageDataset.DefaultClassNames(options.Dataset, classes),
            new ImageSet(train.Pixels, trainY, features), new ImageSet(test.Pixels, testY, features));
    }

    private static ImageDataset LoadCsv(DataOptions options, string directory, string trainCsv, string testCsv)
    {
        int? classes = DefaultClasses(options);
        string fix = ClassesFix(options, classes ?? 0);
        var train = CsvReader.ReadSet(trainCsv, classes, fix);
        var test = CsvReader.ReadSet(testCsv, classes, fix);
        if (train.Features != test.Features)
            throw new FcnLabException(
                $"{testCsv}: rows have {test.Features} pixel columns but {trainCsv} has {train.Features}; both splits must have the same image size.");
        int[] shape = ImageShapes.Resolve(options.ImageShape, train.Features, trainCsv, fixedBy: options.FixedBy);
        int resolved = classes ?? Math.Max(train.ImpliedClasses(), test.ImpliedClasses());
        return new ImageDataset(options.Dataset, directory, shape, resolved, ImageDataset.DefaultClassNames(options.Dataset, resolved), train, test);
    }

    private static void CheckCount(int images, string imagesPath, int labels, string labelsPath)
    {
        if (images != labels)
            throw new FcnLabException(
                $"{imagesPath} holds {images} images but {labelsPath} holds {labels} labels; each image needs exactly one label — the files do not belong together or one is damaged.");
    }

    private static int MaxLabel(int[] labels)
    {
        int max = 0;
        foreach (int y in labels) max = Math.Max(max, y);
        return max;
    }

    /// <summary>What to do about a label outside the classes, depending on where the class count came from.</summary>
    private static string ClassesFix(DataOptions options, int classes) =>
        options.FixedBy is { } by ? $"{by} has {classes} classes: use it on data like the data it was trained on"
        : options.Classes is not null ? "pass a larger --classes or fix the labels"
        : "pass --classes with the true class count, or check that this is the right label file";

    private static void CheckLabels(int[] labels, string path, int classes, string fix)
    {
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= classes)
                throw new FcnLabException($"{path}: label {labels[i]} of item {i} is outside the {classes} classes 0..{classes - 1}; {fix}.");
    }
}
