using System.Globalization;
using System.Text;

namespace FcnLab.Lab.Reports.Charts;

/// <summary>Text and number formatting shared by the SVG and HTML writers.</summary>
internal static class SvgText
{
    /// <summary>
    /// Escapes text for XML and HTML content and double-quoted attributes. Characters XML 1.0 forbids
    /// (control characters, lone surrogates) become U+FFFD, so a strange label can never make a file unparsable.
    /// </summary>
    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length + 8);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        sb.Append(c).Append(text[i + 1]);
                        i++;
                    }
                    else if (char.IsSurrogate(c) || (c < 0x20 && c is not ('\t' or '\n' or '\r')) || c is '\uFFFE' or '\uFFFF')
                        sb.Append('\uFFFD');
                    else
                        sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>A coordinate or size: at most two decimals, invariant culture. Callers filter non-finite values first.</summary>
    public static string Num(double v)
    {
        if (!double.IsFinite(v)) throw new InvalidOperationException($"A chart coordinate is {v}; non-finite values must be skipped before drawing.");
        double r = Math.Round(v, 2) + 0.0; // + 0.0 turns -0 into 0
        return r.ToString("0.##", CultureInfo.InvariantCulture);
    }

    /// <summary>Shortens a label to <paramref name="max"/> characters with an ellipsis (SVG cannot measure text).</summary>
    public static string Shorten(string text, int max) =>
        text.Length <= max ? text : text[..(max - 1)] + "…";

    /// <summary>Rough width of <paramref name="text"/> in the charts' sans-serif font, for layout.</summary>
    public static double Width(string text, double fontSize) => text.Length * fontSize * 0.6;
}
