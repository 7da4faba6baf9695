using FcnLab.Engine.Layers;

namespace FcnLab.Engine.Tests;

public class EnumNamesTests
{
    private enum Color { Red, DarkBlue }

    private static readonly EnumNames<Color> Colors = new("color", (Color.Red, "red"), (Color.DarkBlue, "dark-blue"), (Color.DarkBlue, "navy"));

    [Fact]
    public void Parse_IgnoresCaseSpacesAndUnderscores_AndTakesAliases()
    {
        Assert.Equal(Color.DarkBlue, Colors.Parse(" Dark_Blue "));
        Assert.Equal(Color.DarkBlue, Colors.Parse("NAVY"));
        Assert.Equal(Color.Red, Colors.Parse(Colors.Name(Color.Red)));
    }

    [Fact]
    public void Name_WritesTheFirstSpelling_AndUnknownsListTheWrittenOnes()
    {
        Assert.Equal("dark-blue", Colors.Name(Color.DarkBlue));
        Assert.Equal("red, dark-blue", Colors.Allowed);
        var e = Assert.Throws<FcnLabException>(() => Colors.Parse("green"));
        Assert.Equal("Unknown color 'green'; allowed: red, dark-blue.", e.Message);
        Assert.Throws<FcnLabException>(() => Colors.Name((Color)7));
    }

    [Fact]
    public void EveryValue_NeedsASpelling() =>
        Assert.Throws<ArgumentException>(() => new EnumNames<Activation>("activation", (Activation.ReLU, "relu")));
}
