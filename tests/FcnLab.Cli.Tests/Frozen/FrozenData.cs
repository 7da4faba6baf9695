using System.Text;
using FcnLab.Engine.Data;
using FcnLab.Engine.Tests.Data;
using FcnLab.Engine.Tests.Frozen;

namespace FcnLab.Cli.Tests.Frozen;

/// <summary>
/// The tiny IDX data sets the frozen fixtures were made on. They are not committed: the tests write them
/// again (seeded <see cref="IdxTestFiles"/>), and Fixtures/data-sets.txt holds the SHA-256 of every file,
/// so data that no longer comes out the same is reported as such, not as changed numbers.
/// </summary>
public static class FrozenData
{
    /// <param name="Learnable">false: random labels (the validation loss soon stalls: early stopping, plateaus).</param>
    public sealed record Set(string Name, int Train, int Test, int Size, int Classes, ulong Seed, bool Learnable = true);

    public static readonly Set Tiny8 = new("tiny8", 240, 60, 8, 4, Seed: 7);
    public static readonly Set Noise8 = new("noise8", 240, 60, 8, 4, Seed: 8, Learnable: false);
    public static readonly Set Tiny28 = new("tiny28", 128, 40, 28, 10, Seed: 28);

    private static readonly Set[] All = [Tiny8, Noise8, Tiny28];

    public static Set ByName(string name) => All.Single(s => s.Name == name);

    private static readonly Lazy<bool> Checked = new(CheckAll);

    /// <summary>Writes the data set into <paramref name="directory"/> and returns it, once the data sets are known to be the recorded ones.</summary>
    public static string Write(Set set, string directory)
    {
        _ = Checked.Value;
        return WriteUnchecked(set, directory);
    }

    private static string WriteUnchecked(Set set, string directory) =>
        IdxTestFiles.WriteDataset(directory, set.Train, set.Test, set.Size, set.Size, set.Classes, set.Seed, set.Learnable);

    /// <summary>Every data set's files and their SHA-256, checked against (or written to) Fixtures/data-sets.txt.</summary>
    private static bool CheckAll()
    {
        var text = new StringBuilder();
        string root = Directory.CreateTempSubdirectory("fcnlab-frozen-data-").FullName;
        try
        {
            foreach (var set in All)
            {
                string dir = WriteUnchecked(set, Path.Combine(root, set.Name));
                text.Append($"{set.Name}: {set.Train} train / {set.Test} test, {set.Size}x{set.Size}, {set.Classes} classes, seed {set.Seed}, {(set.Learnable ? "learnable" : "random labels")}\n");
                foreach (string file in new[] { DatasetCatalog.TrainImagesFile, DatasetCatalog.TrainLabelsFile, DatasetCatalog.TestImagesFile, DatasetCatalog.TestLabelsFile })
                    text.Append($"  {file} sha256:{FrozenFixture.Sha256(File.ReadAllBytes(Path.Combine(dir, file)))}\n");
            }
        }
        finally
        {
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
        FrozenFixture.Check(FrozenFixture.Folder("FcnLab.Cli.Tests"), "data-sets.txt", text.ToString());
        return true;
    }
}
