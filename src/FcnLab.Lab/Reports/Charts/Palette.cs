namespace FcnLab.Lab.Reports.Charts;

/// <summary>
/// Series colors (Tableau 10). Past ten series the colors repeat with a different dash pattern, so
/// series 1 and 11 still look different.
/// </summary>
internal static class Palette
{
    private static readonly string[] Colors =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    private static readonly string?[] Dashes = [null, "6 3", "2 2", "8 3 2 3"];

    public static string Color(int index) => Colors[index % Colors.Length];

    /// <summary>The stroke-dasharray for series <paramref name="index"/>, null for a solid line.</summary>
    public static string? Dash(int index) => Dashes[index / Colors.Length % Dashes.Length];
}
