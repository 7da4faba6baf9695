using System.Globalization;

namespace FcnLab.Engine.Data;

/// <summary>
/// Reads image data sets stored as CSV: one image per line, <c>label,pixel1,...,pixelN</c>, with an
/// optional header line (recognised only by a non-numeric first field, e.g. "label"). Pixels must be
/// numbers in [0, 255] and labels non-negative integers; any other field, a wrong column count or an
/// empty file is an error naming the file, the line and the column.
/// </summary>
public static class CsvReader
{
    /// <summary>
    /// Reads <paramref name="path"/>. <paramref name="imageShape"/> ([c,h,w] or [h,w]) fixes the image
    /// shape, else it is the square root of the pixel count; <paramref name="classes"/>, when given, makes
    /// any label >= classes an error.
    /// </summary>
    public static (ImageSet Set, int[] ImageShape) Read(string path, int[]? imageShape = null, int? classes = null)
    {
        var set = ReadSet(path, classes);
        return (set, ImageShapes.Resolve(imageShape, set.Features, path));
    }

    /// <summary>
    /// Reads the rows without resolving an image shape (the catalog compares train and test first).
    /// <paramref name="classesFix"/> is what the message for a label >= classes tells the user to do.
    /// </summary>
    internal static ImageSet ReadSet(string path, int? classes, string classesFix = "pass the right --classes or fix the label")
    {
        if (classes is <= 0)
            throw new FcnLabException($"The class count must be at least 1, not {classes}.");
        var pixels = new List<float>();
        var labels = new List<int>();
        int columns = ReadRows(path, classes, classesFix, labels, pixels);
        if (labels.Count == 0)
            throw new FcnLabException($"{path}: the file holds no data rows; expected lines of label,pixel1,...,pixelN.");
        return new ImageSet([.. pixels], [.. labels], columns - 1);
    }

    /// <summary>
    /// Rows of pixels alone (pixel1,...,pixelN, no label column), as `predict` takes them: the same
    /// header rule, column checks and pixel parsing as a data set's file. Returns the pixels and N.
    /// </summary>
    internal static (float[] Pixels, int Features) ReadUnlabeled(string path)
    {
        var pixels = new List<float>();
        int columns = ReadRows(path, null, "", labels: null, pixels);
        if (pixels.Count == 0)
            throw new FcnLabException($"{path}: the file holds no data rows; expected lines of pixel1,...,pixelN.");
        return ([.. pixels], columns);
    }

    /// <summary>Parses every data line into <paramref name="pixels"/> (and, unless <paramref name="labels"/> is null, its first column into labels); returns the column count.</summary>
    private static int ReadRows(string path, int? classes, string classesFix, List<int>? labels, List<float> pixels)
    {
        StreamReader reader;
        try
        {
            reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FcnLabException($"{path}: cannot open the file: {e.Message}", e);
        }

        using (reader)
        {
            int columns = -1;      // fixed by the first line (header or data)
            int lineNumber = 0;
            bool sawLine = false;
            string? line;
            try
            {
                while ((line = reader.ReadLine()) is not null)
                {
                    lineNumber++;
                    if (string.IsNullOrWhiteSpace(line)) continue; // blank lines (e.g. a trailing one) carry nothing
                    int count = CountColumns(line);
                    if (!sawLine)
                    {
                        sawLine = true;
                        columns = count;
                        if (labels != null && columns < 2)
                            throw Bad(path, lineNumber, $"has {columns} column; a data line is label,pixel1,...,pixelN with at least one pixel");
                        if (!IsNumber(Field(line, 0)))
                            continue; // a header: its first field is a name such as "label"
                    }
                    if (count != columns)
                        throw Bad(path, lineNumber, labels != null
                            ? $"has {count} columns but the file's first line has {columns} (1 label + {columns - 1} pixels); every line needs {columns}"
                            : $"has {count} columns but the file's first line has {columns}; every line needs {columns}");
                    ParseRow(line, path, lineNumber, classes, classesFix, labels, pixels);
                }
            }
            catch (IOException e)
            {
                throw new FcnLabException($"{path}: reading failed at line {lineNumber + 1} ({e.Message}).", e);
            }
            return columns;
        }
    }

    private static void ParseRow(string line, string path, int lineNumber, int? classes, string classesFix, List<int>? labels, List<float> pixels)
    {
        var rest = line.AsSpan();
        int column = 0;
        while (true)
        {
            int comma = rest.IndexOf(',');
            var field = Unquote(comma < 0 ? rest : rest[..comma]);
            column++;
            if (column == 1 && labels != null)
                labels.Add(ParseLabel(field, path, lineNumber, classes, classesFix));
            else
                pixels.Add(ParsePixel(field, path, lineNumber, column));
            if (comma < 0) break;
            rest = rest[(comma + 1)..];
        }
    }

    private static int ParseLabel(ReadOnlySpan<char> field, string path, int lineNumber, int? classes, string classesFix)
    {
        if (!int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out int label))
        {
            string problem = IsNumber(field)
                ? $"label '{field}' (column 1) is not a non-negative integer; labels are class indices 0, 1, 2, ..."
                : $"label '{field}' (column 1) is not a number";
            throw Bad(path, lineNumber, problem);
        }
        if (label >= ImageDataset.MaxClasses)
            throw Bad(path, lineNumber, $"label {label} (column 1) is not a class index FcnLab takes: labels are 0, 1, 2, ... and at most {ImageDataset.MaxClasses - 1} ({ImageDataset.MaxClasses} classes); is the label column the first one?");
        if (label >= classes)
            throw Bad(path, lineNumber, $"label {label} (column 1) is outside the {classes} classes 0..{classes - 1}; {classesFix}");
        return label;
    }

    private static float ParsePixel(ReadOnlySpan<char> field, string path, int lineNumber, int column)
    {
        // Fast path: plain unsigned integers, which is what image CSVs almost always hold.
        if (field.Length is > 0 and <= 3)
        {
            int v = 0;
            bool digits = true;
            foreach (char c in field)
            {
                if (c is < '0' or > '9') { digits = false; break; }
                v = v * 10 + (c - '0');
            }
            if (digits)
                return v <= 255 ? v : throw OutOfRange(field, path, lineNumber, column);
        }
        if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            throw Bad(path, lineNumber, field.IsEmpty
                ? $"column {column} is empty; every pixel needs a value in [0, 255]"
                : $"column {column} holds '{field}', which is not a number; pixels are numbers in [0, 255]");
        if (value is < 0 or > 255)
            throw OutOfRange(field, path, lineNumber, column);
        return (float)value;
    }

    private static FcnLabException OutOfRange(ReadOnlySpan<char> field, string path, int lineNumber, int column) =>
        Bad(path, lineNumber, $"pixel '{field}' in column {column} is outside [0, 255]; FcnLab reads raw 0..255 pixel values and normalizes them itself");

    private static int CountColumns(string line)
    {
        int n = 1;
        foreach (char c in line) if (c == ',') n++;
        return n;
    }

    private static ReadOnlySpan<char> Field(string line, int index)
    {
        var rest = line.AsSpan();
        for (int i = 0; i < index; i++) rest = rest[(rest.IndexOf(',') + 1)..];
        int comma = rest.IndexOf(',');
        return Unquote(comma < 0 ? rest : rest[..comma]);
    }

    // Spreadsheet exports sometimes quote every field or pad with spaces; neither changes the value.
    private static ReadOnlySpan<char> Unquote(ReadOnlySpan<char> field)
    {
        field = field.Trim();
        if (field.Length >= 2 && field[0] == '"' && field[^1] == '"') field = field[1..^1].Trim();
        return field;
    }

    private static bool IsNumber(ReadOnlySpan<char> field) =>
        double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v);

    private static FcnLabException Bad(string path, int lineNumber, string problem) =>
        new($"{path}, line {lineNumber}: {problem}.");
}
