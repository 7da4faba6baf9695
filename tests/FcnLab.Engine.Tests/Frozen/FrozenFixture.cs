using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Xunit.Sdk;

namespace FcnLab.Engine.Tests.Frozen;

/// <summary>
/// Frozen fixtures: text files recorded from the code as it was at commit be0ab45 (before the issue 13
/// refactor), which the frozen tests compare exactly with what the code gives now. With
/// FCNLAB_WRITE_FIXTURES=1 the tests write the files instead of comparing them (see the README.md in
/// each test project's Fixtures folder). Shared by the Cli and Lab tests.
/// </summary>
public static class FrozenFixture
{
    public const string WriteVariable = "FCNLAB_WRITE_FIXTURES";

    /// <summary>True when the tests record fixtures instead of comparing with them.</summary>
    public static bool Writing => Environment.GetEnvironmentVariable(WriteVariable) == "1";

    /// <summary>The repository's root (the folder that holds FcnLab.slnx), found above the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "FcnLab.slnx"))) return d.FullName;
        throw new InvalidOperationException($"No FcnLab.slnx above {AppContext.BaseDirectory}: the frozen fixtures are read from the source tree.");
    }

    /// <summary>
    /// The Fixtures folder of a test project in the source tree (not the build output: the fixtures are
    /// written there).
    /// </summary>
    public static string Folder(string testProject, params string[] parts) =>
        Path.Combine([RepositoryRoot(), "tests", testProject, "Fixtures", .. parts]);

    /// <summary>
    /// Compares each (file name, text) with the file of that name in <paramref name="folder"/>, or writes
    /// them there when <see cref="Writing"/>. All differing files are reported at once, each with a diff.
    /// </summary>
    public static void Check(string folder, IEnumerable<(string Name, string Text)> files)
    {
        var list = files.ToList();
        if (Writing)
        {
            Directory.CreateDirectory(folder);
            foreach (var (name, text) in list) File.WriteAllText(Path.Combine(folder, name), text);
            return;
        }
        var report = new StringBuilder();
        foreach (var (name, text) in list)
        {
            string path = Path.Combine(folder, name);
            if (!File.Exists(path))
            {
                report.Append(CultureInfo.InvariantCulture, $"\n=== {name}: the fixture file {path} is missing (FCNLAB_WRITE_FIXTURES=1 records it; see Fixtures/README.md)\n");
                continue;
            }
            string expected = File.ReadAllText(path).ReplaceLineEndings("\n");
            if (expected != text)
                report.Append(CultureInfo.InvariantCulture, $"\n=== {name} differs from {path} (- recorded, + now):\n").Append(Diff(expected, text));
        }
        if (report.Length > 0)
            throw new XunitException($"The frozen outputs in {folder} changed. The numbers and files recorded before the refactor must stay exactly the same.{report}");
    }

    public static void Check(string folder, string name, string text) => Check(folder, [(name, text)]);

    /// <summary>
    /// JSON with the named properties left out, one property per line (arrays of plain values on one
    /// line), every other value kept exactly as written (numbers as their text, so "0.1" and
    /// "0.10000000149011612" differ) and in its order; only the whitespace between tokens is not
    /// compared. A name is a path: "host", "summary.train_seconds", "resumes[].at".
    /// </summary>
    public static string Json(string json, params string[] leftOut)
    {
        using var doc = JsonDocument.Parse(json);
        var sb = new StringBuilder();
        WriteJson(sb, doc.RootElement, "", leftOut, 0);
        return sb.Append('\n').ToString();
    }

    private static void WriteJson(StringBuilder sb, JsonElement e, string path, string[] leftOut, int depth)
    {
        string indent = new(' ', 2 * depth + 2), close = new(' ', 2 * depth);
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                var properties = e.EnumerateObject().Where(p => !leftOut.Contains(path.Length == 0 ? p.Name : path + "." + p.Name)).ToList();
                if (properties.Count == 0) { sb.Append("{}"); break; }
                sb.Append("{\n");
                for (int i = 0; i < properties.Count; i++)
                {
                    var p = properties[i];
                    sb.Append(indent).Append('"').Append(JsonEncodedText.Encode(p.Name)).Append("\": ");
                    WriteJson(sb, p.Value, path.Length == 0 ? p.Name : path + "." + p.Name, leftOut, depth + 1);
                    sb.Append(i + 1 < properties.Count ? ",\n" : "\n");
                }
                sb.Append(close).Append('}');
                break;
            case JsonValueKind.Array:
                var items = e.EnumerateArray().ToList();
                if (items.All(item => item.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array)))
                {
                    sb.Append('[').AppendJoin(", ", items.Select(item => item.GetRawText())).Append(']');
                    break;
                }
                sb.Append("[\n");
                for (int i = 0; i < items.Count; i++)
                {
                    sb.Append(indent);
                    WriteJson(sb, items[i], path + "[]", leftOut, depth + 1);
                    sb.Append(i + 1 < items.Count ? ",\n" : "\n");
                }
                sb.Append(close).Append(']');
                break;
            default:
                sb.Append(e.GetRawText());
                break;
        }
    }

    /// <summary>A CSV file without the named column (found by its header, so a moved column is a difference, not a silent pass).</summary>
    public static string CsvWithout(string csv, string column)
    {
        var lines = csv.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        int index = Array.IndexOf(lines[0].Split(','), column);
        if (index < 0) throw new XunitException($"The CSV has no column '{column}': its header is '{lines[0]}'.");
        return string.Concat(lines.Select(line => string.Join(",", line.Split(',').Where((_, i) => i != index)) + "\n"));
    }

    /// <summary>SHA-256 of float32 values as little-endian bytes, in lower-case hex.</summary>
    public static string Sha256(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>
    /// A line diff (longest common subsequence) of two texts: changed lines with "-" (recorded, with its
    /// line number there) and "+" (now, with its line number in the new text), two lines of context
    /// around them, at most <paramref name="maxLines"/> lines of it.
    /// </summary>
    public static string Diff(string expected, string actual, int maxLines = 80)
    {
        string[] a = expected.Split('\n'), b = actual.Split('\n');
        // lcs[i, j]: the longest common subsequence of a[i..] and b[j..].
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (int i = a.Length - 1; i >= 0; i--)
            for (int j = b.Length - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        var ops = new List<(char Op, int Line, string Text)>(); // Line: 1-based, in the new text for '+', else in the recorded one
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y]) { ops.Add((' ', x + 1, a[x])); x++; y++; }
            else if (x < a.Length && (y == b.Length || lcs[x + 1, y] >= lcs[x, y + 1])) { ops.Add(('-', x + 1, a[x])); x++; }
            else { ops.Add(('+', y + 1, b[y])); y++; }
        }
        var show = new bool[ops.Count];
        for (int i = 0; i < ops.Count; i++)
            if (ops[i].Op != ' ')
                for (int k = Math.Max(0, i - 2); k <= Math.Min(ops.Count - 1, i + 2); k++) show[k] = true;
        var sb = new StringBuilder();
        int written = 0;
        for (int i = 0; i < ops.Count; i++)
        {
            if (!show[i]) continue;
            if (i > 0 && !show[i - 1]) sb.Append("  ...\n");
            if (written++ == maxLines) { sb.Append(CultureInfo.InvariantCulture, $"  ... ({ops.Skip(i).Count(o => o.Op != ' ')} more changed lines)\n"); break; }
            sb.Append(CultureInfo.InvariantCulture, $"{ops[i].Op} {ops[i].Line,4}: {ops[i].Text}\n");
        }
        return sb.ToString();
    }
}
