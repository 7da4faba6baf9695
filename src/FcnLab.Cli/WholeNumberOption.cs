namespace FcnLab.Cli;

/// <summary>
/// An optional whole-number flag (--threads, --epochs, ...). Its parse error names the flag and what it
/// takes; System.CommandLine's own names a .NET type ("System.Nullable`1[System.Int32]").
/// </summary>
public static class WholeNumberOption
{
    public static Option<int?> Create(string name, string description, string helpName = "n") => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value)) return value;
            result.AddError($"{name} must be a whole number (got '{text}').");
            return null;
        },
    };
}
