namespace FcnLab.Engine;

/// <summary>
/// The one error type the library throws for bad input, bad configuration or bad files. Its message
/// says what is wrong and how to fix it; the CLI prints it and exits with code 2.
/// </summary>
public class FcnLabException : Exception
{
    public FcnLabException(string message) : base(message) { }

    public FcnLabException(string message, Exception inner) : base(message, inner) { }
}
