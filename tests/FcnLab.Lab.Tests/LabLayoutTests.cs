using System.Text.RegularExpressions;

namespace FcnLab.Lab.Tests;

/// <summary>
/// How src/FcnLab.Lab is laid out (ARCHITECTURE.md): its folders depend one way, Search &lt;- Sweeps &lt;-
/// Store &lt;- Reports &lt;- Runs, and each file holds one public type. Read from the source, found above the test's directory.
/// </summary>
public partial class LabLayoutTests
{
    /// <summary>Lab's folders, lowest first: each may use those before it, never those after.</summary>
    private static readonly string[] Layers = ["Search", "Sweeps", "Store", "Reports", "Runs"];

    [GeneratedRegex(@"\bFcnLab\.Lab\.(Search|Sweeps|Store|Reports|Runs)\b|(?<![\w.])(Search|Sweeps|Store|Reports|Runs)\.[A-Z]\w*\.")]
    private static partial Regex LabNamespace();

    [GeneratedRegex(@"^(?:public|internal)?\s*(?:(?:sealed|static|abstract|readonly|partial)\s+)*(?:record\s+struct|record|class|interface|struct|enum)\s+(\w+)", RegexOptions.Multiline)]
    private static partial Regex TopLevelType();

    private static string LabSource()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
        {
            string lab = Path.Combine(d.FullName, "src", "FcnLab.Lab");
            if (Directory.Exists(lab)) return lab;
        }
        throw new DirectoryNotFoundException($"src/FcnLab.Lab not found above {AppContext.BaseDirectory}");
    }

    private static IEnumerable<(string Folder, string File, string Text)> Files()
    {
        string root = LabSource();
        foreach (string file in Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(root, file);
            if (relative.StartsWith("obj", StringComparison.Ordinal) || relative.StartsWith("bin", StringComparison.Ordinal)) continue;
            yield return (relative.Split(Path.DirectorySeparatorChar)[0], relative, File.ReadAllText(file));
        }
    }

    [Fact]
    public void LabsFolders_DependOneWay()
    {
        var upward = new List<string>();
        foreach (var (folder, file, text) in Files())
        {
            int layer = Array.IndexOf(Layers, folder);
            Assert.True(layer >= 0, $"{file}: Lab's folders are {string.Join(", ", Layers)}; put it in one of them (and say where in ARCHITECTURE.md)");
            foreach (Match m in LabNamespace().Matches(text))
            {
                string used = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
                if (Array.IndexOf(Layers, used) > layer) upward.Add($"{file} uses {used}");
            }
        }
        Assert.True(upward.Count == 0, "Lab's folders depend one way (Search <- Sweeps <- Store <- Reports <- Runs); these reach up:\n" + string.Join("\n", upward.Distinct()));
    }

    [Fact]
    public void EachFile_HoldsOnePublicType_NamedAfterIt()
    {
        var crowded = new List<string>();
        foreach (var (_, file, text) in Files())
        {
            var types = TopLevelType().Matches(text).Select(m => m.Groups[1].Value).ToList();
            if (types.Count == 0) continue;
            if (types.Count > 1 || types[0] != Path.GetFileNameWithoutExtension(file)) crowded.Add($"{file}: {string.Join(", ", types)}");
        }
        // StoreBenchmark.cs moves with the rest of the benchmark code into one project (a parallel change); it keeps its records until then.
        crowded.RemoveAll(c => c.StartsWith(Path.Combine("Store", "StoreBenchmark.cs"), StringComparison.Ordinal));
        Assert.True(crowded.Count == 0, "one public type per file, named after it:\n" + string.Join("\n", crowded));
    }
}
