using FcnLab.Lab.Sweeps;
using FcnLab.Engine.Tests.Frozen;

namespace FcnLab.Lab.Tests.Sweeps;

/// <summary>The repository's search specs (studies/searches/*.yaml) parse as searches, are named after their files, and round-trip through the writer.</summary>
public class SearchSpecFilesTests
{
    [Fact]
    public void EverySearchSpecParsesAsASearchAndRoundTrips()
    {
        string dir = Path.Combine(FrozenFixture.RepositoryRoot(), "studies", "searches");
        var files = Directory.GetFiles(dir, "*.yaml");
        Assert.Contains(files, f => Path.GetFileName(f) == "search-fcn.yaml");
        foreach (var file in files)
        {
            var spec = SweepSpecParser.ParseFile(file);
            var search = Assert.IsType<SearchSpec>(spec.Search);
            Assert.Equal(Path.GetFileNameWithoutExtension(file), spec.Name);
            var rewritten = SweepSpecParser.Parse(SweepSpecWriter.ToYaml(spec)).Search!;
            Assert.Equal(search.Space, rewritten.Space);
            Assert.Equal((search.Method, search.Trials, search.Objective, search.Pruner), (rewritten.Method, rewritten.Trials, rewritten.Objective, rewritten.Pruner));
            // Every point of the space makes a training config the engine accepts (the extremes are the likeliest to fail).
            var extremes = search.Space.Parameters
                .Where(p => !p.Name.StartsWith("hidden.", StringComparison.Ordinal))
                .Select(p => new KeyValuePair<string, string>(p.Name, p.Format(p.Kind == Lab.Search.DistributionKind.Choice ? p.Choices.Count - 1 : p.High)))
                .ToList();
            var config = SweepGrid.Resolve(spec, extremes, spec.BaseSeed);
            config.Validate();
        }
    }
}
