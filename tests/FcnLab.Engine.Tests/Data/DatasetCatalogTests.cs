using FcnLab.Engine.Data;

namespace FcnLab.Engine.Tests.Data;

public class DatasetCatalogTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Sub(params string[] parts) => Path.Combine([_dir.Path, .. parts]);

    /// <summary>An environment rooted in the temp directory: FCNLAB_DATA, home and system root under it.</summary>
    private DataEnvironment Env(bool withVariable = true) => new(
        name => withVariable && name == DataEnvironment.DataVariable ? Sub("env") : null,
        Sub("home"),
        Sub("system"));

    [Fact]
    public void SearchPaths_InDocumentedOrder()
    {
        var paths = DatasetCatalog.SearchPaths(new DataOptions("mnist"), Env());
        Assert.Equal([Sub("env", "mnist"), Sub("home", ".fcnlab", "datasets", "mnist"), Sub("system", "mnist")], paths);

        Assert.Equal([Path.GetFullPath(Sub("mine"))], DatasetCatalog.SearchPaths(new DataOptions("mnist", DataDir: Sub("mine")), Env()));
        Assert.Equal(2, DatasetCatalog.SearchPaths(new DataOptions(), Env(withVariable: false)).Count);
    }

    [Fact]
    public void Locate_FirstExistingWins()
    {
        var options = new DataOptions("fashion-mnist");
        Directory.CreateDirectory(Sub("system", "fashion-mnist"));
        Assert.Equal(Sub("system", "fashion-mnist"), DatasetCatalog.Locate(options, Env()));
        Directory.CreateDirectory(Sub("home", ".fcnlab", "datasets", "fashion-mnist"));
        Assert.Equal(Sub("home", ".fcnlab", "datasets", "fashion-mnist"), DatasetCatalog.Locate(options, Env()));
        Directory.CreateDirectory(Sub("env", "fashion-mnist"));
        Assert.Equal(Sub("env", "fashion-mnist"), DatasetCatalog.Locate(options, Env()));
        Directory.CreateDirectory(Sub("explicit"));
        Assert.Equal(Sub("explicit"), DatasetCatalog.Locate(options with { DataDir = Sub("explicit") }, Env()));
    }

    [Fact]
    public void NotFound_ListsPlacesAndHowToInstall()
    {
        var e = Assert.Throws<FcnLabException>(() => DatasetCatalog.Load(new DataOptions(), Env()));
        Assert.Contains(Sub("env", "fashion-mnist"), e.Message);
        Assert.Contains(Sub("home", ".fcnlab", "datasets", "fashion-mnist"), e.Message);
        Assert.Contains(Sub("system", "fashion-mnist"), e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains("--data DIR", e.Message);

        var other = Assert.Throws<FcnLabException>(() => DatasetCatalog.Load(new DataOptions("mnist"), Env()));
        Assert.Contains("--data DIR", other.Message);
        Assert.DoesNotContain("apt-get", other.Message);

        var missingDir = Assert.Throws<FcnLabException>(() => DatasetCatalog.Load(new DataOptions(DataDir: Sub("nowhere")), Env()));
        Assert.Contains(Sub("nowhere"), missingDir.Message);
    }

    [Theory]
    [InlineData("../etc")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData("..")]
    public void BadNames_AreRejected(string name)
    {
        var e = Assert.Throws<FcnLabException>(() => DatasetCatalog.Load(new DataOptions(name), Env()));
        Assert.Contains("not valid", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LoadsIdx_FromEnvironmentDirectory(bool gzip)
    {
        IdxTestFiles.WriteDataset(Sub("env", "tiny"), train: 30, test: 12, rows: 5, cols: 4, classes: 3, gzip: gzip);
        var data = DatasetCatalog.Load(new DataOptions("tiny"), Env());

        Assert.Equal("tiny", data.Name);
        Assert.Equal(Sub("env", "tiny"), data.Directory);
        Assert.Equal([1, 5, 4], data.ImageShape);
        Assert.Equal(3, data.Classes);
        Assert.Equal(["0", "1", "2"], data.ClassNames);
        Assert.Equal((30, 12, 20), (data.Train.Count, data.Test.Count, data.Features));
        Assert.Equal(30 * 20, data.Train.Pixels.Length);
    }

    [Fact]
    public void FashionMnist_HasTenNamedClasses_AndDataDirIsTheDirectoryItself()
    {
        IdxTestFiles.WriteDataset(Sub("fm"), train: 20, test: 10, classes: 10);
        var data = DatasetCatalog.Load(new DataOptions("fashion-mnist", DataDir: Sub("fm")), Env());
        Assert.Equal(10, data.Classes);
        Assert.Equal("T-shirt/top", data.ClassNames[0]);
        Assert.Equal("Ankle boot", data.ClassNames[9]);
    }

    [Fact]
    public void KnownNames_HaveTenClassesEvenWhenFewerOccur_OthersCountFromLabels()
    {
        IdxTestFiles.WriteDataset(Sub("env", "mnist"), train: 12, test: 6, classes: 3);
        Assert.Equal(10, DatasetCatalog.Load(new DataOptions("mnist"), Env()).Classes);
        Assert.Equal(5, DatasetCatalog.Load(new DataOptions("mnist", Classes: 5), Env()).Classes);
    }

    [Fact]
    public void ImageShapeOption_MustMatchThePixelCount()
    {
        IdxTestFiles.WriteDataset(Sub("d"), train: 10, test: 5, rows: 4, cols: 6);
        Assert.Equal([2, 3, 4], DatasetCatalog.Load(new DataOptions("x", Sub("d"), ImageShape: [2, 3, 4]), Env()).ImageShape);
        var e = Assert.Throws<FcnLabException>(() => DatasetCatalog.Load(new DataOptions("x", Sub("d"), ImageShape: [5, 5]), Env()));
        Assert.Contains("train-images-idx3-ubyte", e.Message);
    }

    [Fact]
    public void MissingFiles_AreNamed()
    {
        string dir = IdxTestFiles.WriteDataset(Sub("d"), train: 10, test: 5, gzip: true);
        File.Delete(Path.Combine(dir, "t10k-labels-idx1-ubyte.gz"));
        File.Delete(Path.Combine(dir, "train-images-idx3-ubyte.gz"));
        var e = Assert.Throws<FcnLabException>(() => DatasetCatalog.Load(new DataOptions("x", dir), Env()));
        Assert.Contains(dir, e.Message);
        Assert.Contains("t10k-labels-idx1-ubyte", e.Message);
        Assert.Contains("train-images-idx3-ubyte", e.Message);
        Assert.DoesNotContain("missing train-labels", e.Message);

        Directory.CreateDirectory(Sub("empty"));
        var empty = Assert.Throws<FcnLabException>(() => DatasetCatalog.Load(new DataOptions("x", Sub("empty")), Env()));
        Assert.Contains("no data set files", empty.Message);

        File.WriteAllText(_dir.File("csv", "train.csv"), "0,1\n");
        var csv = Assert.Throws<FcnLabException>(() => DatasetCatalog.Load(new DataOptions("x", Sub("csv")), Env()));
        Assert.Contains("test.csv", csv.Message);
    }

    [Fact]
    public void ImageLabelCountMismatch_NamesBothFiles()
    {
        string dir = IdxTestFiles.WriteDataset(Sub("d"), train: 10, test: 5);
        IdxTestFiles.WriteFile(Path.Combine(dir, DatasetCatalog.TrainLabelsFile), IdxTestFiles.LabelFileBytes(new byte[9]));
        var e = Assert.Throws<FcnLabException>(() => DatasetCatalog.Load(new DataOptions("x", dir), Env()));
        Assert.Contains("train-images-idx3-ubyte holds 10 images", e.Message);
        Assert.Contains("train-labels-idx1-ubyte holds 9 labels", e.Message);
    }

    [Fact]
    public void LabelOutsideClasses_NamesTheLabelFile()
    {
        string dir = IdxTestFiles.WriteDataset(Sub("d"), train: 10, test: 5, classes: 3);
        IdxTestFiles.WriteFile(Path.Combine(dir, DatasetCatalog.TestLabelsFile), IdxTestFiles.LabelFileBytes([0, 1, 2, 0, 12]));
        var e = Assert.Throws<FcnLabException>(() => DatasetCatalog.Load(new DataOptions("mnist", dir), Env()));
        Assert.Contains("t10k-labels-idx1-ubyte", e.Message);
        Assert.Contains("label 12", e.Message);

        var given = Assert.Throws<FcnLabException>(() => DatasetCatalog.Load(new DataOptions("other", dir, Classes: 3), Env()));
        Assert.Contains("t10k-labels-idx1-ubyte", given.Message);
    }

    [Fact]
    public void CorruptFileInDataset_NamesTheFile()
    {
        string dir = IdxTestFiles.WriteDataset(Sub("d"), train: 10, test: 5);
        string path = Path.Combine(dir, DatasetCatalog.TestImagesFile);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..30]);
        var e = Assert.Throws<FcnLabException>(() => DatasetCatalog.Load(new DataOptions("x", dir), Env()));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void DifferentImageSizes_BetweenSplits()
    {
        string dir = IdxTestFiles.WriteDataset(Sub("d"), train: 10, test: 5, rows: 4, cols: 4);
        IdxTestFiles.WriteFile(Path.Combine(dir, DatasetCatalog.TestImagesFile), IdxTestFiles.ImageFileBytes(new byte[5 * 9], 5, 3, 3));
        var e = Assert.Throws<FcnLabException>(() => DatasetCatalog.Load(new DataOptions("x", dir), Env()));
        Assert.Contains("t10k-images-idx3-ubyte", e.Message);
        Assert.Contains("3x3", e.Message);
    }

    [Fact]
    public void LoadsCsv()
    {
        File.WriteAllText(_dir.File("c", "train.csv"), "label,a,b,c,d\n0,1,2,3,4\n4,5,6,7,8\n1,0,0,0,0\n");
        File.WriteAllText(_dir.File("c", "test.csv"), "label,a,b,c,d\n2,9,9,9,9\n");
        var data = DatasetCatalog.Load(new DataOptions("letters", Sub("c")), Env());
        Assert.Equal([1, 2, 2], data.ImageShape);
        Assert.Equal(5, data.Classes);
        Assert.Equal((3, 1), (data.Train.Count, data.Test.Count));

        File.WriteAllText(_dir.File("c", "test.csv"), "label,a,b,c\n2,9,9,9\n");
        var e = Assert.Throws<FcnLabException>(() => DatasetCatalog.Load(new DataOptions("letters", Sub("c")), Env()));
        Assert.Contains("test.csv", e.Message);
        Assert.Contains("3 pixel columns", e.Message);
    }
}
