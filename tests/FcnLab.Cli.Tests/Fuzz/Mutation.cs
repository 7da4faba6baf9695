using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace FcnLab.Cli.Tests.Fuzz;

/// <summary>The edits the fuzzer makes: byte-level for every format, token-level for text (YAML, CSV, JSON headers).</summary>
public enum Edit
{
    FlipBit,
    SetByte,
    Truncate,
    InsertBytes,
    DeleteBytes,
    DuplicateChunk,
    SwapLines,
    InsertToken,
    ReplaceToken,
}

/// <summary>
/// One edit. Positions are taken modulo the current length when applied, so an edit means something on
/// any input and a list of edits is a complete, printable recipe for a failing case.
/// </summary>
public sealed record Mutation(Edit Edit, int At, int Length, int Value)
{
    /// <summary>Bytes that often sit on a boundary: zero, all ones, the sign bit, the largest positive.</summary>
    public static readonly byte[] InterestingBytes = [0x00, 0xFF, 0x7F, 0x80];

    /// <summary>
    /// Text that breaks parsers: YAML and JSON syntax, whitespace, control and non-ASCII characters,
    /// huge, negative, non-finite and oddly written numbers, and values of the wrong type.
    /// </summary>
    public static readonly string[] Tokens =
    [
        ":", "[", "]", "{", "}", "-", "- ", "#", ",", "\"", "'", "\t", "\n", "\r", " ", "\\", "\0", "?", "|", ">",
        "&a ", "*a", "<<: *a", "!!str ", "!!int ", "!!binary ", "---\n", "...\n", "%YAML 1.2\n", "é", "\u2028", "\uFEFF",
        "null", "~", "true", "\"\"", "[]", "{}", "[[1]]", "{a: 1}", "\"x\"",
        "NaN", "-NaN", "Infinity", "-Infinity", "-0", "0", "-1", "1.5", "1e400", "-1e400", "1e-400", "0x10", "1_000",
        "255", "256", "65536", "2147483647", "2147483648", "-2147483648", "-2147483649", "4294967296",
        "9223372036854775807", "9223372036854775808", "99999999999999999999", "1000000000",
    ];

    public byte[] Apply(byte[] input)
    {
        int n = input.Length;
        switch (Edit)
        {
            case Edit.FlipBit when n > 0:
            {
                var b = (byte[])input.Clone();
                b[At % n] ^= (byte)(1 << (Value & 7));
                return b;
            }
            case Edit.SetByte when n > 0:
            {
                var b = (byte[])input.Clone();
                b[At % n] = (byte)Value;
                return b;
            }
            case Edit.Truncate:
                return input[..(At % (n + 1))];
            case Edit.InsertBytes:
            {
                // The run's content comes from Value as a seed, so the edit stays a few numbers.
                var run = new byte[Length];
                new System.Random(Value).NextBytes(run);
                return Insert(input, At % (n + 1), run);
            }
            case Edit.DeleteBytes when n > 0:
            {
                int start = At % n, count = Math.Min(Length, n - start);
                return [.. input[..start], .. input[(start + count)..]];
            }
            case Edit.DuplicateChunk when n > 0:
            {
                int start = At % n, count = Math.Min(Length, n - start);
                return Insert(input, Value % (n + 1), input[start..(start + count)]);
            }
            case Edit.SwapLines:
            {
                var lines = Encoding.UTF8.GetString(input).Split('\n');
                int a = At % lines.Length, b = Value % lines.Length;
                (lines[a], lines[b]) = (lines[b], lines[a]);
                return Encoding.UTF8.GetBytes(string.Join('\n', lines));
            }
            case Edit.InsertToken:
                return Insert(input, At % (n + 1), Encoding.UTF8.GetBytes(Tokens[Value % Tokens.Length]));
            case Edit.ReplaceToken when n > 0:
            {
                // The word (letters, digits, . _ + -) at or after the position becomes the token; with an odd
                // Length, its quotes too, so a JSON or YAML string can become a number, null or a list.
                int start = At % n;
                while (start < n && !IsWordByte(input[start])) start++;
                while (start > 0 && IsWordByte(input[start - 1])) start--;
                int end = start;
                while (end < n && IsWordByte(input[end])) end++;
                if (Length % 2 == 1 && start > 0 && end < n && input[start - 1] is (byte)'"' or (byte)'\'' && input[end] == input[start - 1])
                    (start, end) = (start - 1, end + 1);
                return [.. input[..start], .. Encoding.UTF8.GetBytes(Tokens[Value % Tokens.Length]), .. input[end..]];
            }
            default:
                return input; // an edit of an empty input that needs a byte to work on
        }
    }

    private static bool IsWordByte(byte b) => char.IsAsciiLetterOrDigit((char)b) || b is (byte)'.' or (byte)'_' or (byte)'+' or (byte)'-';

    private static byte[] Insert(byte[] input, int at, byte[] run) => [.. input[..at], .. run, .. input[at..]];

    public override string ToString() => Edit switch
    {
        Edit.FlipBit => $"FlipBit(at {At}, bit {Value & 7})",
        Edit.SetByte => $"SetByte(at {At}, 0x{Value:X2})",
        Edit.Truncate => $"Truncate(at {At})",
        Edit.InsertBytes => $"InsertBytes(at {At}, {Length} bytes of seed {Value})",
        Edit.DeleteBytes => $"DeleteBytes(at {At}, {Length})",
        Edit.DuplicateChunk => $"DuplicateChunk(from {At}, {Length} bytes, to {Value})",
        Edit.SwapLines => $"SwapLines({At}, {Value})",
        Edit.InsertToken => $"InsertToken(at {At}, {Quote(Tokens[Value % Tokens.Length])})",
        Edit.ReplaceToken => $"ReplaceToken(at {At}, {Quote(Tokens[Value % Tokens.Length])}{(Length % 2 == 1 ? ", quotes too" : "")})",
        _ => Edit.ToString(),
    };

    private static string Quote(string token) => System.Text.Json.JsonSerializer.Serialize(token);
}

/// <summary>A list of edits applied in order: one fuzz case.</summary>
public sealed class MutationPlan(IReadOnlyList<Mutation> edits)
{
    public IReadOnlyList<Mutation> Edits { get; } = edits;

    public byte[] Apply(byte[] input)
    {
        foreach (var edit in Edits) input = edit.Apply(input);
        return input;
    }

    /// <summary>The plans with one edit fewer: FsCheck shrinks a failing case to the edits that matter.</summary>
    public IEnumerable<MutationPlan> Shrink() =>
        Edits.Count <= 1 ? [] : Enumerable.Range(0, Edits.Count).Select(i => new MutationPlan([.. Edits.Where((_, j) => j != i)]));

    public override string ToString() => "[" + string.Join(", ", Edits) + "]";

    private static readonly Gen<int> Position = Gen.Choose(0, int.MaxValue);
    private static readonly Gen<int> ByteValue = Gen.OneOf(Gen.Elements(Mutation.InterestingBytes.Select(b => (int)b)), Gen.Choose(0, 255));
    private static readonly Gen<int> RunLength = Gen.OneOf(Gen.Choose(1, 8), Gen.Choose(1, 256));

    private static Gen<Mutation> Make(Edit edit, Gen<int> length, Gen<int> value) =>
        from at in Position
        from l in length
        from v in value
        select new Mutation(edit, at, l, v);

    /// <summary>Byte-level edits: bit flips, interesting bytes, truncation, inserted, deleted and duplicated runs.</summary>
    public static readonly Gen<Mutation> ByteEdit = Gen.Frequency(
        (3, Make(Edit.FlipBit, Gen.Constant(0), Gen.Choose(0, 7))),
        (3, Make(Edit.SetByte, Gen.Constant(0), ByteValue)),
        (2, Make(Edit.Truncate, Gen.Constant(0), Gen.Constant(0))),
        (1, Make(Edit.InsertBytes, RunLength, Position)),
        (2, Make(Edit.DeleteBytes, RunLength, Gen.Constant(0))),
        (1, Make(Edit.DuplicateChunk, RunLength, Position)));

    /// <summary>Byte-level edits plus token-level ones: swapped lines, inserted syntax, words replaced by odd values.</summary>
    public static readonly Gen<Mutation> TextEdit = Gen.Frequency(
        (4, ByteEdit),
        (1, Make(Edit.SwapLines, Gen.Constant(0), Position)),
        (3, Make(Edit.InsertToken, Gen.Constant(0), Gen.Choose(0, Mutation.Tokens.Length - 1))),
        (4, Make(Edit.ReplaceToken, Gen.Choose(0, 1), Gen.Choose(0, Mutation.Tokens.Length - 1))));

    /// <summary>One to four edits, mostly one or two.</summary>
    public static Gen<MutationPlan> Of(Gen<Mutation> edit) =>
        from count in Gen.Frequency((4, Gen.Constant(1)), (3, Gen.Constant(2)), (1, Gen.Choose(3, 4)))
        from edits in Gen.ListOf(edit, count)
        select new MutationPlan([.. edits]);
}
