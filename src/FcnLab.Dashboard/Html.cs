using System.Globalization;
using System.Text;

namespace FcnLab.Dashboard;

/// <summary>Escaping and formatting for the pages: every text from the store (names, settings, messages) goes through <see cref="Escape"/>.</summary>
internal static class Html
{
    /// <summary>Text as HTML text or attribute value: markup characters as entities, control characters as their visible symbols (U+2400 block).</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            switch (c)
            {
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                case '\n' or '\t': sb.Append(c); break;
                case < ' ': sb.Append((char)(0x2400 + c)); break; // shown, not interpreted
                case '\u007f': sb.Append('\u2421'); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>A query-string value.</summary>
    public static string Url(string text) => Uri.EscapeDataString(text);

    public static string Percent(double? fraction) => fraction is { } f && double.IsFinite(f) ? (f * 100).ToString("F2", CultureInfo.InvariantCulture) + "%" : "";

    public static string Num(double? v, string format = "G4") => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "";

    public static string Time(DateTime? t) => t is { } x ? x.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z" : "";

    public static string Duration(TimeSpan? d)
    {
        if (d is not { } x) return "";
        if (x < TimeSpan.Zero) x = TimeSpan.Zero;
        return x.TotalHours >= 1 ? $"{(int)x.TotalHours}h{x.Minutes:D2}m" : x.TotalMinutes >= 1 ? $"{(int)x.TotalMinutes}m{x.Seconds:D2}s" : x.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + "s";
    }

    /// <summary>A chart's download links: "SVG" and "PNG" of <paramref name="path"/> (without extension) with <paramref name="query"/> (may be empty).</summary>
    public static string Downloads(string path, string query)
    {
        string q = query.Length == 0 ? "" : "?" + query.TrimStart('?');
        return $"<a class=\"download\" href=\"{Escape(path + ".svg" + q)}\" download>SVG</a> <a class=\"download\" href=\"{Escape(path + ".png" + q)}\" download>PNG</a>";
    }

    /// <summary>The whole page around <paramref name="body"/>: one style sheet and one script, both served by the dashboard itself.</summary>
    public static string Page(string title, string body, string? banner = null) => $"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>{Escape(title)} · FcnLab</title>
        <link rel="stylesheet" href="/static/dashboard.css"><script src="/static/dashboard.js" defer></script></head>
        <body><nav><a href="/">Runs</a> <a href="/sweeps">Sweeps</a></nav>
        {(banner == null ? "" : $"<div class=\"banner\" role=\"alert\">{Escape(banner)}</div>")}
        <main>
        <h1>{Escape(title)}</h1>
        {body}
        </main></body></html>
        """;
}
