using System.Text;

namespace FcnLab.Lab.Tests.Reports;

/// <summary>An RFC 4180 reader for checking that the CSV the reports write parses back.</summary>
internal static class CsvTestParser
{
    public static List<List<string>> Parse(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, any = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
                continue;
            }
            switch (c)
            {
                case '"': quoted = true; any = true; break;
                case ',': row.Add(field.ToString()); field.Clear(); any = true; break;
                case '\n':
                    row.Add(field.ToString());
                    rows.Add(row);
                    (row, any) = (new List<string>(), false);
                    field.Clear();
                    break;
                default: field.Append(c); any = true; break;
            }
        }
        Assert.False(quoted, "unterminated quoted field");
        if (any) { row.Add(field.ToString()); rows.Add(row); }
        return rows;
    }
}
